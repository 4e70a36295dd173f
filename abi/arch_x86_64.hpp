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

// set_segment_base.
inline constexpr uint64_t SEGBASE_FS = 0;
inline constexpr uint64_t SEGBASE_GS_USER = 1;
inline constexpr uint64_t SEGBASE_GS_KERNEL = 2;
inline constexpr uint64_t SEGBASE_GS_USER_SEL = 3;

// The frame the iret hypercall pops (RSP points at rax when it is made).
inline constexpr uint64_t VGCF_in_syscall = 1u << 8;
struct iret_context {
    uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(iret_context) == 72);

// One entry of set_trap_table's array, ended by an entry with address 0.
struct trap_info {
    uint8_t vector;
    uint8_t flags;    // bits 0-1: DPL for 'int n'; bit 2: mask events on entry
    uint16_t cs;
    uint32_t pad;
    uint64_t address;
};
static_assert(sizeof(trap_info) == 16);
constexpr unsigned TI_GET_DPL(const trap_info& t) { return t.flags & 3; }
constexpr bool TI_GET_IF(const trap_info& t) { return t.flags & 4; }

}  // namespace xen
