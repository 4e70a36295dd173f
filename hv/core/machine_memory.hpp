// The machine's memory as a privileged domain is told about it
// (XENMEM_machine_memory_map): the firmware's map before the hypervisor
// carved out what it keeps for itself, and the device ranges in its holes
// that the hypervisor keeps (interrupt controllers), which a privileged
// domain must not claim for its own devices. The arch layer fills it once
// at boot; afterwards it is read-only.
#pragma once

#include "hv/core/memory_map.hpp"

namespace vireo {

struct MachineMemory {
    static constexpr unsigned kMaxKept = 4;

    MemoryMap firmware;
    MemRange kept[kMaxKept] = {};  // sorted, page-aligned, disjoint
    unsigned nr_kept = 0;

    // Adds a device range the hypervisor keeps; false when full.
    bool keep(uint64_t base, uint64_t end);
};

MachineMemory& machine_memory();

class FrameTable;
// Gives every frame below the top of RAM that the firmware does not call
// RAM (in full) to DOMID_IO, as Xen does: the BIOS area, the EBDA, video
// memory and firmware-reserved holes. A privileged domain may map such a
// frame as device memory (page_tables.cpp); nobody may own or type it.
// Only frames still unowned by anyone else (the hypervisor's, with no
// reference) change: no allocator ever hands out a partial-RAM frame.
// Returns how many frames became I/O frames.
uint64_t mark_io_frames(FrameTable& frames, const MemoryMap& firmware);

}  // namespace vireo
