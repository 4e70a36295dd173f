// Event channels, the 2-level ABI: a port's pending and mask bits live in
// shared_info; raising a port sets its pending bit and, unless it is masked,
// the port's word in the vCPU's selector and the vCPU's upcall_pending,
// then wakes the vCPU. The upcall itself is delivered on the way back to
// the guest, when its upcall mask allows (deliver_pending_events).
// Port 0 is never allocated (Xen reserves it).
#pragma once

#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

Result<uint32_t> evtchn_alloc_port(Domain& d);
void evtchn_free_port(Domain& d, uint32_t port);
// Marks the port pending and notifies its vCPU.
void evtchn_set_pending(Domain& d, uint32_t port);
void evtchn_unmask(Domain& d, uint32_t port);
// Whether raising (or unmasking) port can be done by a domain-local
// hypercall (hypercall.hpp): no vCPU of d would wake, so the scheduler is
// not involved.
bool evtchn_raise_is_local(const Domain& d, uint32_t port);
bool evtchn_is_pending(Domain& d, uint32_t port);
// Raises a virtual IRQ on a vCPU, if the guest bound it.
void send_virq(Vcpu& v, uint32_t virq);
// Closes every port (domain teardown, EVTCHNOP_reset).
void evtchn_close_all(Domain& d);
Status evtchn_close(Domain& d, uint32_t port);

// On the way back to the guest: an upcall to the event callback if one is
// pending and the guest's mask allows it.
void deliver_pending_events(Vcpu& v, GuestRegs& regs);
// Whether deliver_pending_events has an upcall to make now.
bool upcall_due(Vcpu& v);
bool vcpu_events_pending(Vcpu& v);

}  // namespace vireo
