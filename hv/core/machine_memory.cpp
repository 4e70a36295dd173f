#include "hv/core/machine_memory.hpp"

#include "hv/core/frame_table.hpp"

namespace vireo {

bool MachineMemory::keep(uint64_t base, uint64_t end)
{
    if (nr_kept == kMaxKept || end <= base)
        return false;
    unsigned i = nr_kept++;
    for (; i > 0 && kept[i - 1].base > base; --i)
        kept[i] = kept[i - 1];
    kept[i] = {base, end, MemType::RESERVED};
    return true;
}

namespace {

bool frame_is_ram(const MemoryMap& map, uint64_t frame)
{
    uint64_t base = frame << kPageShift, end = base + (uint64_t{1} << kPageShift);
    for (unsigned i = 0; i < map.count(); ++i) {
        const MemRange& r = map.at(i);
        if (r.type == MemType::RAM && r.base <= base && r.end >= end)
            return true;
    }
    return false;
}

}  // namespace

uint64_t mark_io_frames(FrameTable& frames, const MemoryMap& firmware)
{
    uint64_t n = 0;
    for (uint64_t f = 0; f < frames.nr_frames(); ++f) {
        PageInfo* p = frames.get(Mfn(f));
        if (p->owner != kOwnerHypervisor || p->count || p->type_count || frame_is_ram(firmware, f))
            continue;
        p->owner = kOwnerIo;
        ++n;
    }
    return n;
}

MachineMemory& machine_memory()
{
    static MachineMemory memory;
    return memory;
}

}  // namespace vireo
