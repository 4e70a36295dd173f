// Xen's "writable page tables" assist (VMASST_TYPE_writable_pagetables):
// a PV kernel that enabled it may write straight into its own validated L1
// tables, which stay mapped read-only. Each such write faults; the
// hypervisor decodes the instruction (pte_write_decode.hpp), validates the
// resulting entry by the rules mmu_update applies (update_table_entry),
// writes it, and resumes the guest past the instruction as the CPU would
// have. Anything else (an instruction not emulated, a write leaving the
// entry, an entry the rules refuse) leaves the fault to the guest, as Xen
// does.
#pragma once

#include <stdint.h>

#include "hv/core/domain.hpp"

namespace vireo {

// Called for a guest #PF (cr2 and the hardware error code) before it is
// bounced. True when the write was emulated and regs now point past it.
bool try_emulate_pte_write(Vcpu& v, GuestRegs& regs, uint64_t cr2, uint64_t error_code);

}  // namespace vireo
