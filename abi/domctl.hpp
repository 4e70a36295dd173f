// domctl (xen/include/public/domctl.h, interface 0x15 in Xen 4.17): the
// privileged domain's control of other domains. Vireo implements what its
// tests and the toolstack need, and adds the BVT scheduler's parameters
// under a scheduler id Xen does not use.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint32_t XEN_DOMCTL_INTERFACE_VERSION = 0x00000015;
inline constexpr uint32_t XEN_DOMCTL_createdomain = 1;
inline constexpr uint32_t XEN_DOMCTL_destroydomain = 2;
inline constexpr uint32_t XEN_DOMCTL_pausedomain = 3;
inline constexpr uint32_t XEN_DOMCTL_unpausedomain = 4;
inline constexpr uint32_t XEN_DOMCTL_getdomaininfo = 5;
inline constexpr uint32_t XEN_DOMCTL_max_mem = 11;
inline constexpr uint32_t XEN_DOMCTL_setvcpucontext = 12;
inline constexpr uint32_t XEN_DOMCTL_getvcpucontext = 13;
inline constexpr uint32_t XEN_DOMCTL_max_vcpus = 15;
inline constexpr uint32_t XEN_DOMCTL_scheduler_op = 16;
inline constexpr uint32_t XEN_DOMCTL_hypercall_init = 22;

inline constexpr uint32_t XEN_DOMINF_dying = 1u << 0;
inline constexpr uint32_t XEN_DOMINF_shutdown = 1u << 2;
inline constexpr uint32_t XEN_DOMINF_paused = 1u << 3;
inline constexpr uint32_t XEN_DOMINF_blocked = 1u << 4;
inline constexpr uint32_t XEN_DOMINF_running = 1u << 5;
inline constexpr uint32_t XEN_DOMINF_shutdownshift = 16;

struct xen_arch_domainconfig {
    uint32_t emulation_flags;
    uint32_t misc_flags;
};

// createdomain's flags (XEN_DOMCTL_CDF_*): a PV domain sets none of the
// HVM ones; Vireo builds PV domains only.
inline constexpr uint32_t XEN_DOMCTL_CDF_hvm = 1u << 0;
inline constexpr uint32_t XEN_DOMCTL_CDF_hap = 1u << 1;
inline constexpr uint32_t XEN_DOMCTL_CDF_s3_integrity = 1u << 2;
inline constexpr uint32_t XEN_DOMCTL_CDF_oos_off = 1u << 3;
inline constexpr uint32_t XEN_DOMCTL_CDF_xs_domain = 1u << 4;
inline constexpr uint32_t XEN_DOMCTL_CDF_iommu = 1u << 5;
inline constexpr uint32_t XEN_DOMCTL_CDF_nested_virt = 1u << 6;
inline constexpr uint32_t XEN_DOMCTL_CDF_vpmu = 1u << 7;

// In: the new domain's limits. domctl.domain names the id wanted, or
// is 0 (or >= DOMID_FIRST_RESERVED) for "any free id"; the id given is
// returned in domctl.domain.
struct xen_domctl_createdomain {
    uint32_t ssidref;
    uint8_t handle[16];
    uint32_t flags;
    uint32_t iommu_opts;
    uint32_t max_vcpus;
    uint32_t max_evtchn_port;
    int32_t max_grant_frames;
    int32_t max_maptrack_frames;
    uint32_t grant_opts;
    uint32_t vmtrace_size;
    uint32_t cpupool_id;
    struct xen_arch_domainconfig arch;
};
static_assert(sizeof(xen_domctl_createdomain) == 64);
static_assert(offsetof(xen_domctl_createdomain, arch) == 56);

struct xen_domctl_max_mem {
    uint64_t max_memkb;
};

// setvcpucontext / getvcpucontext: `ctxt` is a guest pointer to a
// vcpu_guest_context (abi/vcpu.hpp); setvcpucontext with a null pointer
// resets the vCPU.
struct xen_domctl_vcpucontext {
    uint32_t vcpu;
    uint32_t pad;
    uint64_t ctxt;
};
static_assert(sizeof(xen_domctl_vcpucontext) == 16);

// max_vcpus: since Xen 4.12 createdomain only sizes the vCPU array and
// this creates the vCPUs; `max` must equal createdomain's max_vcpus.
struct xen_domctl_max_vcpus {
    uint32_t max;
};

// hypercall_init: the hypervisor writes its hypercall page into the
// domain's frame `gmfn` (for a PV domain, a machine frame).
struct xen_domctl_hypercall_init {
    uint64_t gmfn;
};

struct xen_domctl_getdomaininfo {
    uint16_t domain;
    uint16_t pad1;
    uint32_t flags;
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t outstanding_pages;
    uint64_t shr_pages;
    uint64_t paged_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time;  // ns
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t ssidref;
    uint8_t handle[16];
    uint32_t cpupool;
    uint8_t gpaddr_bits;
    uint8_t pad2[7];
    xen_arch_domainconfig arch_config;
};
static_assert(sizeof(xen_domctl_getdomaininfo) == 112);
static_assert(offsetof(xen_domctl_getdomaininfo, cpu_time) == 56);

inline constexpr uint32_t XEN_DOMCTL_SCHEDOP_putinfo = 0;
inline constexpr uint32_t XEN_DOMCTL_SCHEDOP_getinfo = 1;
// Vireo's extension: Borrowed Virtual Time (Xen's ids 5-9 are credit,
// credit2, arinc653, rtds and null).
inline constexpr uint32_t VIREO_SCHEDULER_BVT = 3;

struct vireo_domctl_sched_bvt {
    uint32_t mcu_advance;     // the inverse of the weight (1-10000)
    uint32_t warp_enabled;
    uint64_t warp;            // virtual time (ns x mcu_advance)
    uint64_t warp_limit_ns;
    uint64_t unwarp_req_ns;
};

struct xen_domctl_scheduler_op {
    uint32_t sched_id;
    uint32_t cmd;
    union {
        vireo_domctl_sched_bvt bvt;
        uint8_t pad[24];
    } u;
};

struct xen_domctl {
    uint32_t cmd;
    uint32_t interface_version;
    uint16_t domain;
    uint16_t pad[3];
    union {
        xen_domctl_createdomain createdomain;
        xen_domctl_getdomaininfo getdomaininfo;
        xen_domctl_max_mem max_mem;
        xen_domctl_max_vcpus max_vcpus;
        xen_domctl_hypercall_init hypercall_init;
        xen_domctl_vcpucontext vcpucontext;
        xen_domctl_scheduler_op scheduler_op;
        uint8_t pad[128];
    } u;
};
static_assert(sizeof(xen_domctl) == 144);
static_assert(offsetof(xen_domctl, u) == 16);

}  // namespace xen
