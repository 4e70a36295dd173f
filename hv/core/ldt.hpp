// A guest's local descriptor table (MMUEXT_SET_LDT).
//
// The guest names its LDT by linear address and entry count (at most 8192,
// page-aligned, outside the hypervisor's range: Xen 4.17's checks, each
// -EINVAL). The pages behind that address are read through the vCPU's
// kernel page tables, page by page, as Xen does: a page is shadowed when
// it is found (at set_ldt, or later when the CPU faults on one of its
// selectors) by taking a reference and the SEG_DESC type on its frame, so
// every descriptor in it is checked like a GDT's (nothing reaches ring 0)
// and the guest cannot write it except through update_descriptor.
//
// The shadow holds frames, not contents: the arch layer copies the
// shadowed pages into the CPU's own LDT when the vCPU runs (the
// generation says when to copy again). The shadow is dropped, every
// reference released, when the vCPU sets another LDT, when the domain
// unmaps a descriptor page (Xen drops every vCPU's shadow then; the pages
// are found again on the next fault), and at teardown.
#pragma once

#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

inline constexpr unsigned kMaxLdtEntries = 8192;

// Xen 4.17's checks of an LDT's address and size (set_ldt, and the
// context of VCPUOP_initialise); any failure is -EINVAL.
bool ldt_arguments_ok(uint64_t base, uint64_t entries);
// mmuext SET_LDT: checks and records the LDT, shadowing what it can now.
Status set_guest_ldt(Vcpu& v, uint64_t base, unsigned entries);
// Drops v's LDT entirely (teardown): no shadow, no LDT.
void drop_guest_ldt(Vcpu& v);
// A descriptor page of d lost a mapping: every vCPU's shadow goes.
void ldt_mapping_dropped(Domain& d);
// update_descriptor wrote into mfn: vCPUs whose shadow holds it copy again.
void ldt_frame_written(Domain& d, Mfn mfn);

// The CPU refused selector `error` (a #GP error code) while v ran: if it
// names an LDT entry on a page not shadowed yet, the page is shadowed
// (true: the instruction is run again), or the fault becomes the #PF Xen
// gives at the LDT's linear address (true: delivered). False: a fault of
// the guest's own, to deliver as it is.
bool ldt_fault(Vcpu& v, GuestRegs& regs, uint64_t error);

}  // namespace vireo
