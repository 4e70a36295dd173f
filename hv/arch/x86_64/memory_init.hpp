// Machine memory at boot: the memory map, the frame table, the frame
// allocator, the hypervisor's page tables and the machine-to-phys table.
#pragma once

#include "hv/arch/x86_64/multiboot.hpp"

namespace vireo::arch {

// Unpacks bzImage kernel modules on the way (kernel_unpack.hpp).
void memory_init(BootInfo& info);

// The machine-to-phys table: the hypervisor writes it through this alias;
// guests read it at MACH2PHYS_VIRT_START.
inline constexpr uint64_t kRwMachToPhysBase = 0xffff808000000000;
void m2p_set(uint64_t mfn, uint64_t pfn);
uint64_t m2p_get(uint64_t mfn);
// A zeroed hypervisor-owned frame (machine address), 0 when none is left.
uint64_t alloc_hypervisor_frame();

}  // namespace vireo::arch
