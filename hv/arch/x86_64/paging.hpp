// The hypervisor's own address space: the direct map of machine memory and
// the image with per-section permissions. Its L4 slots 256-271 are copied
// into every guest L4, so the L3 tables behind them are made once, here,
// and never replaced.
#pragma once

#include <stdint.h>

#include "lib/status.hpp"

namespace vireo::arch {

// A zeroed 4 KiB frame for page tables, as a machine address (0: none left).
using FrameSource = uint64_t (*)();

// Builds the idle page tables mapping [0, direct_map_end) and the image,
// then switches to them. Returns the machine address of the new L4.
uint64_t paging_init(uint64_t direct_map_end, FrameSource alloc);
uint64_t idle_l4();
// Maps one 4 KiB page in the hypervisor's tables (shared slots only).
Status map_hypervisor_page(uint64_t va, uint64_t paddr, uint64_t flags);
// Fills slots 256-271 of a guest L4 from the idle L4.
void copy_hypervisor_slots(uint64_t* guest_l4);

}  // namespace vireo::arch
