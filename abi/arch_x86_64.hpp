// Xen's x86-64 PV definitions (xen/include/public/arch-x86/xen-x86_64.h):
// the flat selectors guests use and the hypervisor's reserved range.
#pragma once

#include <stdint.h>

namespace xen {

inline constexpr uint16_t FLAT_RING3_CS32 = 0xe023;
inline constexpr uint16_t FLAT_RING3_CS64 = 0xe033;
inline constexpr uint16_t FLAT_RING3_DS32 = 0xe02b;
inline constexpr uint16_t FLAT_RING3_DS64 = 0x0000;
inline constexpr uint16_t FLAT_RING3_SS32 = 0xe02b;
inline constexpr uint16_t FLAT_RING3_SS64 = 0xe02b;
inline constexpr uint16_t FLAT_KERNEL_CS64 = FLAT_RING3_CS64;
inline constexpr uint16_t FLAT_KERNEL_DS64 = FLAT_RING3_DS64;
inline constexpr uint16_t FLAT_KERNEL_SS64 = FLAT_RING3_SS64;
inline constexpr uint16_t FLAT_KERNEL_CS = FLAT_KERNEL_CS64;
inline constexpr uint16_t FLAT_KERNEL_DS = FLAT_KERNEL_DS64;
inline constexpr uint16_t FLAT_KERNEL_SS = FLAT_KERNEL_SS64;
inline constexpr uint16_t FLAT_USER_CS64 = FLAT_RING3_CS64;
inline constexpr uint16_t FLAT_USER_SS64 = FLAT_RING3_SS64;

inline constexpr uint64_t HYPERVISOR_VIRT_START = 0xffff800000000000;
inline constexpr uint64_t HYPERVISOR_VIRT_END = 0xffff880000000000;
inline constexpr uint64_t MACH2PHYS_VIRT_START = 0xffff800000000000;
inline constexpr uint64_t MACH2PHYS_VIRT_END = 0xffff804000000000;

}  // namespace xen
