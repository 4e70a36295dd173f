// copy_from_guest / copy_to_guest for the current vCPU: its page tables are
// loaded whenever the hypervisor runs on its behalf, so a guest virtual
// address is used directly, after checking it lies in guest space.
#include "hv/arch/x86_64/guest_access.hpp"
#include "hv/core/hot_path.hpp"

#include "hv/arch/x86_64/layout.hpp"

extern "C" uint64_t guest_copy_raw(void* dst, const void* src, uint64_t n);

namespace vireo::arch {

// Guest space is the lower canonical half and the upper half above the
// hypervisor's slots; the non-canonical hole and 0xffff8000_00000000-
// 0xffff87ff_ffffffff are never a guest's, whatever its page tables say.
bool guest_range_ok(uint64_t va, uint64_t n)
{
    constexpr uint64_t kLowerEnd = 0x0000800000000000;
    constexpr uint64_t kUpperStart = kDirectMapEnd;  // 0xffff880000000000
    if (n == 0)
        return true;
    uint64_t last = va + n - 1;
    if (last < va)
        return false;  // wraps
    if (last < kLowerEnd)
        return true;
    return va >= kUpperStart;
}

VIREO_HOT Status copy_from_guest(void* dst, uint64_t guest_va, size_t n)
{
    if (!guest_range_ok(guest_va, n))
        return Status::FAULT;
    return guest_copy_raw(dst, reinterpret_cast<const void*>(guest_va), n) ? Status::FAULT : Status::OK;
}

VIREO_HOT Status copy_to_guest(uint64_t guest_va, const void* src, size_t n)
{
    if (!guest_range_ok(guest_va, n))
        return Status::FAULT;
    return guest_copy_raw(reinterpret_cast<void*>(guest_va), src, n) ? Status::FAULT : Status::OK;
}

}  // namespace vireo::arch
