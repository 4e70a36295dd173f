#include "hv/core/vcpu_events.hpp"
#include "hv/core/hot_path.hpp"

#include "hv/core/event_channel.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/runstate.hpp"
#include "hv/core/scheduler.hpp"

namespace vireo {

void vcpu_request_yield(Vcpu& v) { v.yield_requested = true; }

VIREO_HOT bool vcpu_take_yield_request(Vcpu& v)
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

namespace {

// v became runnable (or may run again): a CPU is chosen and told.
void offer_to_a_cpu(Vcpu& v, uint64_t now)
{
    const Platform& p = platform();
    if (!p.running_vcpu_on) {  // one CPU (hosted tests)
        if (scheduler_wake(v, p.running_vcpu ? p.running_vcpu() : nullptr, now) && p.request_resched)
            p.request_resched();
        return;
    }
    unsigned cpu = scheduler_place(v, p.nr_cpus(), [&](unsigned c) { return p.running_vcpu_on(c) == nullptr; });
    if (scheduler_wake(v, p.running_vcpu_on(cpu), now))
        p.kick_cpu(cpu);
}

}  // namespace

void vcpu_wake(Vcpu& v)
{
    v.polling = false;
    v.poll_deadline_ns = 0;
    if (v.state != VcpuState::BLOCKED)
        return;
    v.state = VcpuState::RUNNABLE;
    const Platform& p = platform();
    uint64_t now = p.now_ns ? p.now_ns() : 0;
    runstate_change(v, xen::RUNSTATE_runnable, now);
    offer_to_a_cpu(v, now);
}

void vcpu_domain_unpaused(Vcpu& v)
{
    if (v.state != VcpuState::RUNNABLE)
        return;
    const Platform& p = platform();
    offer_to_a_cpu(v, p.now_ns ? p.now_ns() : 0);
}

void vcpu_kick_remote(Vcpu& v)
{
    const Platform& p = platform();
    if (v.on_a_cpu && p.current_cpu && v.processor != p.current_cpu())
        p.kick_cpu(v.processor);
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
