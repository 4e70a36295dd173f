// The hypervisor's virtual address layout. Everything lives in the slots of
// the upper canonical half that Xen's x86-64 PV ABI reserves for the
// hypervisor (L4 slots 256-271, 0xffff800000000000-0xffff87ffffffffff), so
// these mappings are present in every guest's L4 and a hypercall or trap
// needs no address-space switch.
#pragma once

#include <stdint.h>

namespace vireo::arch {

// Slot 256: the read-only machine-to-phys table guests read (ABI address).
inline constexpr uint64_t kRoMachToPhysBase = 0xffff800000000000;
inline constexpr uint64_t kRoMachToPhysEnd = 0xffff804000000000;
// Slot 260: per-domain mappings (guest GDT/LDT windows).
inline constexpr uint64_t kPerDomainBase = 0xffff820000000000;
// Slot 261: the hypervisor image; kImageBase is the virtual address of
// machine address 0 in the image window (as Xen's XEN_VIRT_START).
inline constexpr uint64_t kImageBase = 0xffff82d080000000;
inline constexpr uint64_t kImageLoadPaddr = 0x200000;
// Slots 262-271: all machine memory, mapped once (5 TiB at most).
inline constexpr uint64_t kDirectMapBase = 0xffff830000000000;
inline constexpr uint64_t kDirectMapEnd = 0xffff880000000000;

inline constexpr unsigned kFirstHypervisorSlot = 256;
inline constexpr unsigned kLastHypervisorSlot = 271;

template <typename T = void>
inline T* phys_to_virt(uint64_t paddr)
{
    return reinterpret_cast<T*>(kDirectMapBase + paddr);
}

inline uint64_t virt_to_phys(const void* va)
{
    auto v = reinterpret_cast<uint64_t>(va);
    if (v >= kDirectMapBase && v < kDirectMapEnd)
        return v - kDirectMapBase;
    return v - kImageBase;  // an address inside the image
}

}  // namespace vireo::arch
