#include "hv/core/vcpu_events.hpp"

#include "hv/core/event_channel.hpp"
#include "hv/core/guest_traps.hpp"

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
    // SCHEDOP_block enables event delivery, then sleeps unless an event is
    // already waiting (it is then delivered on the way back).
    *vcpu_upcall_mask(v) = 0;
    if (vcpu_events_pending(v))
        return;
    if (v.state == VcpuState::RUNNABLE)
        v.state = VcpuState::BLOCKED;
}

void vcpu_wake(Vcpu& v)
{
    if (v.state == VcpuState::BLOCKED)
        v.state = VcpuState::RUNNABLE;
}

}  // namespace vireo
