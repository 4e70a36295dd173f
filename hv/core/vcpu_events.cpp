#include "hv/core/vcpu_events.hpp"

#include "hv/core/event_channel.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/runstate.hpp"
#include "hv/core/scheduler.hpp"

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
    if (v.state == VcpuState::RUNNABLE) {
        v.state = VcpuState::BLOCKED;
        uint64_t now = platform().now_ns();
        runstate_change(v, xen::RUNSTATE_blocked, now);
        scheduler_sleep(v, now);
    }
}

void vcpu_poll_block(Vcpu& v, int32_t port, uint64_t timeout_ns)
{
    if (v.state != VcpuState::RUNNABLE)
        return;
    v.polling = true;
    v.poll_port = port;
    v.poll_deadline_ns = timeout_ns;
    v.state = VcpuState::BLOCKED;
    uint64_t now = platform().now_ns();
    runstate_change(v, xen::RUNSTATE_blocked, now);
    scheduler_sleep(v, now);
    if (timeout_ns)
        platform().timers_changed();
}

void vcpu_wake(Vcpu& v)
{
    v.polling = false;
    v.poll_deadline_ns = 0;
    if (v.state != VcpuState::BLOCKED)
        return;
    v.state = VcpuState::RUNNABLE;
    const Platform& p = platform();
    runstate_change(v, xen::RUNSTATE_runnable, p.now_ns ? p.now_ns() : 0);
    if (scheduler_wake(v, p.running_vcpu ? p.running_vcpu() : nullptr, p.now_ns ? p.now_ns() : 0) &&
        p.request_resched)
        p.request_resched();
}

void vcpu_down(Vcpu& v)
{
    const Platform& p = platform();
    uint64_t now = p.now_ns ? p.now_ns() : 0;
    if (v.state == VcpuState::RUNNABLE)
        scheduler_sleep(v, now);
    v.state = VcpuState::DOWN;
    runstate_change(v, xen::RUNSTATE_offline, now);
    if (p.running_vcpu && p.running_vcpu() == &v && p.request_resched)
        p.request_resched();
}

void vcpu_up(Vcpu& v)
{
    if (v.state != VcpuState::DOWN)
        return;
    // Through BLOCKED so the wake path puts it in the run queue.
    v.state = VcpuState::BLOCKED;
    vcpu_wake(v);
}

}  // namespace vireo
