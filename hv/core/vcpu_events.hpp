// Changes of a vCPU's scheduling state requested from inside a hypercall;
// the arch layer acts on them on the way back to the guest.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo {

void vcpu_request_yield(Vcpu& v);
void vcpu_block(Vcpu& v);
// SCHEDOP_poll: sleep (events stay masked) until `port` (-1: any port) goes
// pending, an event is delivered, or system time reaches timeout_ns (0: none).
void vcpu_poll_block(Vcpu& v, int32_t port, uint64_t timeout_ns);
// True (once) if v asked to give up its CPU.
bool vcpu_take_yield_request(Vcpu& v);
// Something woke v (an event, its timer).
void vcpu_wake(Vcpu& v);
// v runs on another CPU right now: make it enter the hypervisor soon (an
// event was raised for it, or its domain stopped).
void vcpu_kick_remote(Vcpu& v);
// VCPUOP_down / VCPUOP_up: the vCPU leaves the scheduler until brought up.
void vcpu_down(Vcpu& v);
void vcpu_up(Vcpu& v);
// Its domain was unpaused (domctl): a runnable v is offered a CPU again.
void vcpu_domain_unpaused(Vcpu& v);

}  // namespace vireo
