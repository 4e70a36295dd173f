#include "hv/core/guest_walk.hpp"

#include "hv/core/platform.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {
constexpr uint64_t kPresent = 1, kRw = 2, kUser = 4, kLarge = 0x80;
constexpr uint64_t kAddrMask = 0x000ffffffffff000;
}  // namespace

uint64_t guest_walk(uint64_t l4_maddr, uint64_t va, bool write)
{
    if (!l4_maddr)
        return kNoMapping;
    // Only the lower canonical half and the guest's part of the upper one:
    // the validated tables never map hypervisor memory to the guest, and
    // the user bit keeps it that way here too.
    uint64_t table = l4_maddr & kAddrMask;
    for (int level = 4; level >= 1; --level) {
        unsigned index = (va >> (12 + 9 * (level - 1))) & 511;
        uint64_t e = __atomic_load_n(&static_cast<uint64_t*>(map_machine_memory(table))[index], __ATOMIC_RELAXED);
        if (!(e & kPresent) || !(e & kUser) || (write && !(e & kRw)))
            return kNoMapping;
        if (e & kLarge && level > 1)
            return kNoMapping;  // validation refuses superpages
        table = e & kAddrMask;
    }
    return table | (va & (kPageSize - 1));
}

}  // namespace vireo
