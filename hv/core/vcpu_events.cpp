#include "hv/core/vcpu_events.hpp"

namespace vireo {

void vcpu_request_yield(Vcpu& v) { v.yield_requested = true; }

bool vcpu_take_yield_request(Vcpu& v)
{
    bool was = v.yield_requested;
    v.yield_requested = false;
    return was;
}

void vcpu_block(Vcpu& v)
{
    // Without pending events (none exist before event channels), blocking
    // would sleep forever; the events work makes this wait for an upcall.
    if (v.state == VcpuState::RUNNABLE)
        v.state = VcpuState::BLOCKED;
}

void vcpu_wake(Vcpu& v)
{
    if (v.state == VcpuState::BLOCKED)
        v.state = VcpuState::RUNNABLE;
}

}  // namespace vireo
