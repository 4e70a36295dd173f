// The instruction behind a write into a read-only page-table entry, decoded
// and evaluated without side effects (the "writable page tables" assist, see
// ptwr.hpp). Linux writes its PTEs directly: set_pte is a mov,
// ptep_get_and_clear an xchg, the bit helpers lock and/or/btr/bts (byte-sized
// ones at a byte inside the entry), and cmpxchg. Those are what is decoded;
// any other instruction is NOT_SUPPORTED and its fault goes to the guest.
//
// Two phases, so the guest's registers change only once the new entry is
// accepted: decode_pte_write computes the new entry and the register effects
// from the old entry; commit_pte_write applies the effects.
//
// The written operand must start exactly at the fault address (CR2) and lie
// inside the aligned 8-byte entry that contains it: the effective address is
// computed from ModRM/SIB/displacement (RIP-relative, FS/GS bases included)
// and compared, so a store that crossed into the table from the page before,
// or a bit offset that reaches outside the entry, is refused.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/guest_regs.hpp"
#include "lib/status.hpp"

namespace vireo {

inline constexpr unsigned kMaxInsnLength = 15;  // SDM vol. 2, 2.3.11
inline constexpr uint8_t kNoReg = 0xff;

// What faulted.
struct PteWriteFault {
    const uint8_t* insn;  // the bytes at RIP: fewer than 15 where the fetch
    size_t insn_len;      // stopped at a page the guest has not mapped
    uint64_t addr;        // CR2: the linear address of the first byte written
    uint64_t old_entry;   // the 8-byte-aligned entry that contains addr
    uint64_t fs_base;     // for fs:/gs: overrides (other segments are flat)
    uint64_t gs_base;
};

// What the instruction would do. Registers are numbered as in the encoding
// (0 RAX, 1 RCX, ... 4 RSP, ... 15 R15).
struct PteWritePlan {
    uint64_t new_entry = 0;  // the old entry with the written bytes merged in
    bool writes = false;     // false: a cmpxchg whose comparison failed
    uint8_t length = 0;      // RIP advances by this
    uint8_t reg = kNoReg;    // a destination register (xchg, failed cmpxchg)
    uint8_t reg_width = 0;   // 1, 2, 4 or 8 bytes; 4 zero-extends to 64
    bool reg_high_byte = false;  // AH, CH, DH or BH
    uint64_t reg_value = 0;
    uint64_t flags_mask = 0;  // the RFLAGS bits the instruction defines
    uint64_t flags = 0;       // and their values
};

// Decodes the faulting instruction. Errors: NOT_SUPPORTED (an instruction
// not emulated, or prefixes the CPU would refuse), RANGE (the write does not
// start at addr, or leaves the entry), FAULT (the bytes end mid-instruction).
// why, when given, receives a short reason for the log.
Result<PteWritePlan> decode_pte_write(const PteWriteFault& fault, const GuestRegs& regs,
                                      const char** why = nullptr);

// Applies a plan's register effects: RIP, the destination register, RFLAGS.
void commit_pte_write(const PteWritePlan& plan, GuestRegs& regs);

}  // namespace vireo
