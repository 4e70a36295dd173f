// xen_version (xen/include/public/version.h, features.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint64_t XENVER_version = 0;
inline constexpr uint64_t XENVER_extraversion = 1;
inline constexpr uint64_t XENVER_compile_info = 2;
inline constexpr uint64_t XENVER_capabilities = 3;
inline constexpr uint64_t XENVER_changeset = 4;
inline constexpr uint64_t XENVER_platform_parameters = 5;
inline constexpr uint64_t XENVER_get_features = 6;
inline constexpr uint64_t XENVER_pagesize = 7;
inline constexpr uint64_t XENVER_guest_handle = 8;
inline constexpr uint64_t XENVER_commandline = 9;
inline constexpr uint64_t XENVER_build_id = 10;

using xen_extraversion_t = char[16];
using xen_capabilities_info_t = char[1024];
using xen_changeset_info_t = char[64];
using xen_commandline_t = char[1024];
using xen_domain_handle_t = uint8_t[16];

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
static_assert(sizeof(xen_compile_info) == 144);

struct xen_platform_parameters {
    uint64_t virt_start;
};
static_assert(sizeof(xen_platform_parameters) == 8);

struct xen_feature_info {
    uint32_t submap_idx;  // IN: which 32-bit submap
    uint32_t submap;      // OUT
};
static_assert(sizeof(xen_feature_info) == 8);
static_assert(offsetof(xen_feature_info, submap) == 4);

struct xen_build_id {
    uint32_t len;  // IN: buffer size; OUT: id length
    // followed by len bytes
};

// Feature bits (features.h).
inline constexpr unsigned XENFEAT_writable_page_tables = 0;
inline constexpr unsigned XENFEAT_writable_descriptor_tables = 1;
inline constexpr unsigned XENFEAT_auto_translated_physmap = 2;
inline constexpr unsigned XENFEAT_supervisor_mode_kernel = 3;
inline constexpr unsigned XENFEAT_pae_pgdir_above_4gb = 4;
inline constexpr unsigned XENFEAT_mmu_pt_update_preserve_ad = 5;
inline constexpr unsigned XENFEAT_highmem_assist = 6;
inline constexpr unsigned XENFEAT_gnttab_map_avail_bits = 7;
inline constexpr unsigned XENFEAT_hvm_callback_vector = 8;
inline constexpr unsigned XENFEAT_hvm_safe_pvclock = 9;
inline constexpr unsigned XENFEAT_hvm_pirqs = 10;
inline constexpr unsigned XENFEAT_dom0 = 11;
inline constexpr unsigned XENFEAT_grant_map_identity = 12;
inline constexpr unsigned XENFEAT_memory_op_vnode_supported = 13;
inline constexpr unsigned XENFEAT_ARM_SMCCC_supported = 14;
inline constexpr unsigned XENFEAT_linux_rsdp_unrestricted = 15;
inline constexpr unsigned XENFEAT_not_direct_mapped = 16;
inline constexpr unsigned XENFEAT_direct_mapped = 17;
inline constexpr unsigned XENFEAT_NR_SUBMAPS = 1;

}  // namespace xen
