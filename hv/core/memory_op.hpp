// memory_op's sub-op families, one file each; hc_memory_op.cpp decodes the
// command and dispatches. Internal to the hypercall.
#pragma once

#include "hv/core/hypercall.hpp"

namespace vireo {

// increase_reservation, decrease_reservation, populate_physmap; `start` is
// the extent a continuation resumes at (cmd >> MEMOP_EXTENT_SHIFT).
HypercallResult memop_reservation(Vcpu& v, HypercallArgs& args, uint64_t op, uint64_t start);
HypercallResult memop_exchange(Vcpu& v, HypercallArgs& args);
HypercallResult memop_memory_map(Vcpu& v, uint64_t arg);
HypercallResult memop_machine_memory_map(Vcpu& v, uint64_t arg);

// Frames a reservation or exchange call handles before it continues in a
// fresh hypercall. Xen continues when other work is pending; a fixed count
// keeps Vireo's rounds short and the same on every run.
inline constexpr uint64_t kMemopPagesPerRound = 256;

// Xen's propagate_node: whether mem_flags names a NUMA node the caller may
// ask for. Vireo has one node, so a possible node is accepted and ignored.
bool memop_node_ok(const Domain& caller, uint32_t mem_flags);
// The domain a sub-op names (DOMID_SELF or a live domain), or null.
Domain* memop_target(Domain& caller, uint16_t domid);
// Xen's XSM_TARGET rule: a domain may act on itself; the privileged
// domain on any.
inline bool memop_may_act_on(const Domain& caller, const Domain& target)
{
    return &caller == &target || caller.privileged;
}

}  // namespace vireo
