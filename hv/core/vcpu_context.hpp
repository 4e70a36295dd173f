// A vCPU's context (registers, trap table, GDT, stacks, page tables,
// callbacks, segment bases, FPU) given whole, as struct vcpu_guest_context:
// by the guest itself for one of its vCPUs that is down (VCPUOP_initialise;
// Linux does this for every secondary CPU), or by dom0's toolstack for a
// domain it builds (domctl setvcpucontext, vcpu_context_domctl.cpp).
// Everything is checked as the matching hypercall would check it; on any
// refusal the vCPU is left as it was.
#pragma once

#include "abi/vcpu.hpp"
#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

// EEXIST (as Xen) when the vCPU already has a context.
Status vcpu_initialise(Vcpu& target, const xen::vcpu_guest_context& c);

// The checks that take no reference: addresses, LDT and GDT sizes.
Status vcpu_context_check(const xen::vcpu_guest_context& c);
// Takes the fields that hold no reference (registers, traps, callbacks,
// stacks, bases, FPU); checked first by vcpu_context_check.
void vcpu_context_apply(Vcpu& v, const xen::vcpu_guest_context& c);

// domctl setvcpucontext / getvcpucontext on another domain's vCPU, which
// no CPU may be running (the caller makes sure). A vCPU without a context
// is initialised (the L4 in CR3 must be one of its domain's, validated and
// typed as a base table); one that has a context keeps its tables, GDT and
// LDT (NOT_SUPPORTED, Xen's EOPNOTSUPP, when the context names others)
// and takes the rest. VGCF_online brings it up, its absence takes it down.
Status vcpu_set_context(Vcpu& v, const xen::vcpu_guest_context& c);
// A null context: every reference the vCPU holds dropped, down, and with
// no context (Xen's vcpu_reset).
void vcpu_reset(Vcpu& v);
void vcpu_get_context(const Vcpu& v, xen::vcpu_guest_context& out);

}  // namespace vireo
