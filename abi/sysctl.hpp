// sysctl (xen/include/public/sysctl.h, interface 0x15 in Xen 4.17): the
// privileged domain's view of the machine. Vireo implements physinfo, which
// tells a toolstack (and the tests) the machine's CPUs and pages, the free
// ones included.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint32_t XEN_SYSCTL_INTERFACE_VERSION = 0x00000015;
inline constexpr uint32_t XEN_SYSCTL_physinfo = 3;

inline constexpr uint32_t XEN_SYSCTL_PHYSCAP_hvm = 1u << 0;
inline constexpr uint32_t XEN_SYSCTL_PHYSCAP_pv = 1u << 1;
inline constexpr uint32_t XEN_SYSCTL_PHYSCAP_gnttab_v1 = 1u << 8;

struct xen_sysctl_physinfo {
    uint32_t threads_per_core;   // 0
    uint32_t cores_per_socket;   // 4
    uint32_t nr_cpus;            // 8: CPUs online
    uint32_t max_cpu_id;         // 12
    uint32_t nr_nodes;           // 16
    uint32_t max_node_id;        // 20
    uint32_t cpu_khz;            // 24
    uint32_t capabilities;       // 28: XEN_SYSCTL_PHYSCAP_*
    uint32_t arch_capabilities;  // 32
    uint32_t pad;                // 36
    uint64_t total_pages;        // 40
    uint64_t free_pages;         // 48
    uint64_t scrub_pages;        // 56
    uint64_t outstanding_pages;  // 64
    uint64_t max_mfn;            // 72: the largest frame number there may be
    uint32_t hw_cap[8];          // 80: the boot CPU's feature words
};
static_assert(sizeof(xen_sysctl_physinfo) == 112);
static_assert(offsetof(xen_sysctl_physinfo, total_pages) == 40);
static_assert(offsetof(xen_sysctl_physinfo, free_pages) == 48);
static_assert(offsetof(xen_sysctl_physinfo, hw_cap) == 80);

struct xen_sysctl {
    uint32_t cmd;                // 0
    uint32_t interface_version;  // 4
    union {                      // 8
        xen_sysctl_physinfo physinfo;
        uint8_t pad[128];
    } u;
};
static_assert(sizeof(xen_sysctl) == 136);
static_assert(offsetof(xen_sysctl, u) == 8);

}  // namespace xen
