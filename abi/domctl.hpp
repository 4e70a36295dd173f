// domctl (xen/include/public/domctl.h, interface 0x15 in Xen 4.17): the
// privileged domain's control of other domains. Vireo implements what its
// tests and the toolstack need, and adds the BVT scheduler's parameters
// under a scheduler id Xen does not use.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint32_t XEN_DOMCTL_INTERFACE_VERSION = 0x00000015;
inline constexpr uint32_t XEN_DOMCTL_getdomaininfo = 5;
inline constexpr uint32_t XEN_DOMCTL_scheduler_op = 16;

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
        xen_domctl_getdomaininfo getdomaininfo;
        xen_domctl_scheduler_op scheduler_op;
        uint8_t pad[128];
    } u;
};
static_assert(sizeof(xen_domctl) == 144);
static_assert(offsetof(xen_domctl, u) == 16);

}  // namespace xen
