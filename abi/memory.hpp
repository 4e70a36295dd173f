// memory_op (xen/include/public/memory.h, interface 0x00040d00): a domain's
// reservation (ballooning), the physical memory maps, and where the
// machine-to-phys table is. Layouts are compared with Debian's libxen-dev
// headers in tests/unit/abi_layout_test.cpp, except where noted.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/arch_x86_64.hpp"

namespace xen {

inline constexpr uint64_t XENMEM_increase_reservation = 0;
inline constexpr uint64_t XENMEM_decrease_reservation = 1;
inline constexpr uint64_t XENMEM_maximum_ram_page = 2;
inline constexpr uint64_t XENMEM_current_reservation = 3;
inline constexpr uint64_t XENMEM_maximum_reservation = 4;
inline constexpr uint64_t XENMEM_machphys_mfn_list = 5;
inline constexpr uint64_t XENMEM_populate_physmap = 6;
inline constexpr uint64_t XENMEM_add_to_physmap = 7;
inline constexpr uint64_t XENMEM_memory_map = 9;
inline constexpr uint64_t XENMEM_machine_memory_map = 10;
inline constexpr uint64_t XENMEM_exchange = 11;
inline constexpr uint64_t XENMEM_machphys_mapping = 12;
inline constexpr uint64_t XENMEM_set_memory_map = 13;
inline constexpr uint64_t XENMEM_maximum_gpfn = 14;
inline constexpr uint64_t XENMEM_remove_from_physmap = 15;
inline constexpr uint64_t XENMEM_get_sharing_freed_pages = 18;
inline constexpr uint64_t XENMEM_get_sharing_shared_pages = 19;

// A preempted reservation call continues with the number of extents done
// so far in cmd's upper bits (Xen's MEMOP_EXTENT_SHIFT, not in the public
// headers but visible to a guest that reads its registers after a restart).
inline constexpr unsigned MEMOP_EXTENT_SHIFT = 6;
inline constexpr uint64_t MEMOP_CMD_MASK = (uint64_t{1} << MEMOP_EXTENT_SHIFT) - 1;

// mem_flags of a reservation: the highest address the new frames may
// have (bits 0-7, 0 = any), the NUMA node (bits 8-15, node + 1).
constexpr uint32_t XENMEMF_address_bits(uint32_t bits) { return bits; }
constexpr uint32_t XENMEMF_get_address_bits(uint32_t flags) { return flags & 0xffu; }
constexpr uint32_t XENMEMF_node(uint32_t node) { return (node + 1) << 8; }
constexpr uint32_t XENMEMF_get_node(uint32_t flags) { return ((flags >> 8) - 1) & 0xffu; }
inline constexpr uint32_t XENMEMF_populate_on_demand = 1u << 16;
inline constexpr uint32_t XENMEMF_exact_node_request = 1u << 17;
inline constexpr uint32_t XENMEMF_vnode = 1u << 18;

// increase_reservation, decrease_reservation, populate_physmap.
struct xen_memory_reservation {
    uint64_t extent_start;  // 0: guest handle of xen_pfn_t (u64) frame numbers
    uint64_t nr_extents;    // 8
    uint32_t extent_order;  // 16: each extent is 2^order pages
    uint32_t mem_flags;     // 20: XENMEMF_*
    uint16_t domid;         // 24: DOMID_SELF or, privileged, another domain
    uint8_t pad[6];
};
static_assert(sizeof(xen_memory_reservation) == 32);
static_assert(offsetof(xen_memory_reservation, nr_extents) == 8);
static_assert(offsetof(xen_memory_reservation, extent_order) == 16);
static_assert(offsetof(xen_memory_reservation, mem_flags) == 20);
static_assert(offsetof(xen_memory_reservation, domid) == 24);

// exchange: in's frames are given back and out's allocated, chunk by chunk.
struct xen_memory_exchange {
    xen_memory_reservation in;   // 0
    xen_memory_reservation out;  // 32
    uint64_t nr_exchanged;       // 64: in extents done (the caller zeroes it)
};
static_assert(sizeof(xen_memory_exchange) == 72);
static_assert(offsetof(xen_memory_exchange, out) == 32);
static_assert(offsetof(xen_memory_exchange, nr_exchanged) == 64);

// current_reservation, maximum_reservation, maximum_gpfn.
struct xen_memory_domain {
    uint16_t domid;
};
static_assert(sizeof(xen_memory_domain) == 2);

struct xen_machphys_mapping {
    uint64_t v_start, v_end;  // where the read-only M2P is in every guest
    uint64_t max_mfn;         // the highest frame it can look up
};
static_assert(sizeof(xen_machphys_mapping) == 24);
static_assert(offsetof(xen_machphys_mapping, max_mfn) == 16);

inline constexpr uint64_t MACH2PHYS_NR_ENTRIES = (MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3;

// memory_map and machine_memory_map.
struct xen_memory_map {
    uint32_t nr_entries;  // 0: in, room in buffer; out, entries stored
    uint32_t pad;
    uint64_t buffer;      // 8: guest handle of e820entry[nr_entries]
};
static_assert(sizeof(xen_memory_map) == 16);
static_assert(offsetof(xen_memory_map, buffer) == 8);

// set_memory_map (a toolstack's call for another domain).
struct xen_foreign_memory_map {
    uint16_t domid;
    uint8_t pad[6];
    xen_memory_map map;  // 8
};
static_assert(sizeof(xen_foreign_memory_map) == 24);
static_assert(offsetof(xen_foreign_memory_map, map) == 8);

// One entry of the maps, as the BIOS's INT 15h E820 gives it: packed, 20
// bytes (Xen's and Linux's e820entry; no public Xen header defines it, so
// the layout test cannot compare it).
inline constexpr uint32_t E820_RAM = 1;
inline constexpr uint32_t E820_RESERVED = 2;
inline constexpr uint32_t E820_ACPI = 3;
inline constexpr uint32_t E820_NVS = 4;
inline constexpr uint32_t E820_UNUSABLE = 5;

struct [[gnu::packed]] e820entry {
    uint64_t addr;  // 0
    uint64_t size;  // 8
    uint32_t type;  // 16
};
static_assert(sizeof(e820entry) == 20);
static_assert(offsetof(e820entry, type) == 16);

}  // namespace xen
