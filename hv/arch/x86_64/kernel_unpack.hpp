// Kernels given as Linux bzImages (Debian's vmlinuz as shipped): before
// the frame allocator starts, each such module's xz payload is unpacked
// into memory taken from the map, and the module then points at the ELF
// vmlinux inside, which the PV builder loads like any other kernel. What
// the unpacked copies use is handed to the allocator once the boot-time
// domains are built (release_unpacked_kernels).
#pragma once

#include "hv/arch/x86_64/multiboot.hpp"
#include "hv/core/memory_map.hpp"

namespace vireo::arch {

// Unpacks every bzImage module; a module that cannot be unpacked is left as
// it is, with a line naming it and the problem.
void unpack_kernel_modules(BootInfo& info, MemoryMap& map, uint64_t below);
// The unpacked copies are no longer needed: their frames become free,
// except those of modules still_needed() names (a domU that may restart).
void release_unpacked_kernels(bool (*still_needed)(unsigned module));

}  // namespace vireo::arch
