// Finding the machine address behind a guest virtual address by walking the
// guest's own (validated) page tables in software. The hypervisor uses it
// for guest areas it updates while another address space is loaded (a
// vCPU's runstate area at a context switch, say), where copy_to_guest
// would go through the wrong tables.
#pragma once

#include <stdint.h>

namespace vireo {

inline constexpr uint64_t kNoMapping = ~uint64_t{0};

// The machine address va maps to under the L4 at l4_maddr, or kNoMapping
// when it is not mapped (or, with `write`, not writable) for the guest.
uint64_t guest_walk(uint64_t l4_maddr, uint64_t va, bool write);

}  // namespace vireo
