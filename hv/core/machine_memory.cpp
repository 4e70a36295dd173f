#include "hv/core/machine_memory.hpp"

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

MachineMemory& machine_memory()
{
    static MachineMemory memory;
    return memory;
}

}  // namespace vireo
