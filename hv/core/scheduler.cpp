#include "hv/core/scheduler.hpp"

#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

uint64_t g_ctx_allow_ns = kBvtDefaultCtxAllowNs;

// Dom0's shutdown reason decides how the machine stops; with no dom0 the
// last domain's reason is used.
uint8_t g_exit_reason = 0;
bool g_dom0_reported = false;

// Virtual time is kept in ns x mcu_advance: running for t ns (rounded up to
// whole MCUs, the paper's minimum charging unit) adds t x mcu_advance.
uint64_t charge(const Vcpu& v, uint64_t ran_ns)
{
    uint64_t mcus = (ran_ns + kBvtMcuNs - 1) / kBvtMcuNs;
    return mcus * kBvtMcuNs * mcu_advance(*v.domain);
}

int64_t evt(const Vcpu& v)
{
    int64_t e = static_cast<int64_t>(v.bvt.avt);
    return v.bvt.warped ? e - static_cast<int64_t>(v.domain->bvt.warp) : e;
}

bool is_runnable(const Vcpu& v)
{
    return domain_may_run(*v.domain) && v.id < v.domain->nr_vcpus && v.state == VcpuState::RUNNABLE;
}

void end_warp(Vcpu& v, uint64_t now)
{
    if (!v.bvt.warped)
        return;
    v.bvt.warped = false;
    v.bvt.unwarped_at_ns = now;
}

// Charges v for the CPU time it has had since it was put on the CPU.
void account(Vcpu& v, uint64_t now)
{
    uint64_t ran = now > v.bvt.on_cpu_since_ns ? now - v.bvt.on_cpu_since_ns : 0;
    v.bvt.on_cpu_since_ns = now;
    v.bvt.cpu_time_ns += ran;
    v.bvt.avt += charge(v, ran);
    if (v.bvt.warped) {
        v.bvt.warped_ran_ns += ran;
        uint64_t limit = v.domain->bvt.warp_limit_ns;
        if (limit && v.bvt.warped_ran_ns >= limit)
            end_warp(v, now);
    }
}

// The least avt among the runnable vCPUs of `cpu`'s queue (the system
// virtual time there), or false when the queue is empty.
bool queue_svt(unsigned cpu, uint64_t& svt)
{
    bool any = false;
    for_each_running_vcpu([&](Vcpu& o) {
        if (!is_runnable(o) || o.processor != cpu)
            return;
        if (!any || o.bvt.avt < svt)
            svt = o.bvt.avt;
        any = true;
    });
    return any;
}

// Busy CPUs balance too, not only idle ones: a CPU whose queue is shorter
// than another's by two or more takes that queue's best waiting vCPU, so
// vCPUs that never block do not stay crowded on one CPU while another CPU
// runs one alone (each would get half the CPU time of the lone one). The
// margin of two makes every move shrink the difference, so nothing moves
// back and forth. The moved vCPU keeps its lead or lag over its old
// queue's virtual time, re-based onto ours: queues' virtual times drift
// apart as their lengths differ.
void balance(unsigned cpu, const Vcpu* prev, bool prev_yielded)
{
    constexpr unsigned kCpus = 64;  // beyond any machine Vireo starts
    unsigned load[kCpus] = {};
    for_each_running_vcpu([&](Vcpu& v) {
        if (is_runnable(v) && v.processor < kCpus)
            load[v.processor]++;
    });
    if (cpu >= kCpus)
        return;
    unsigned busiest = cpu;
    for (unsigned c = 0; c < kCpus; ++c)
        if (load[c] > load[busiest])
            busiest = c;
    if (load[busiest] < load[cpu] + 2)
        return;
    Vcpu* pick = nullptr;
    for_each_running_vcpu([&](Vcpu& v) {
        if (v.processor != busiest || !is_runnable(v) || v.on_a_cpu || (prev_yielded && &v == prev))
            return;
        if (!pick || evt(v) < evt(*pick))
            pick = &v;
    });
    if (!pick)
        return;  // all it holds is running (a vCPU not yet marked off a CPU)
    uint64_t from = 0, to = 0;
    bool rebase = queue_svt(busiest, from) && queue_svt(cpu, to);
    pick->processor = cpu;
    if (rebase)
        pick->bvt.avt = to + (pick->bvt.avt - from);
}

uint64_t clamp_slice(uint64_t ns)
{
    if (ns < kBvtMcuNs)
        return kBvtMcuNs;
    return ns > kBvtMaxSliceNs ? kBvtMaxSliceNs : ns;
}

}  // namespace

uint32_t mcu_advance(const Domain& d) { return d.bvt.mcu_advance ? d.bvt.mcu_advance : kBvtDefaultMcuAdvance; }

SchedDecision scheduler_pick(Vcpu* prev, uint64_t now, bool prev_yielded, unsigned cpu)
{
    if (prev)
        account(*prev, now);
    balance(cpu, prev, prev_yielded);
    Vcpu* best = nullptr;
    Vcpu* second = nullptr;
    auto better = [](const Vcpu* a, const Vcpu* b) { return !b || evt(*a) < evt(*b); };
    // A vCPU another CPU is running is nobody's candidate here.
    auto available = [&](const Vcpu& v) {
        return is_runnable(v) && !(prev_yielded && &v == prev) && (!v.on_a_cpu || &v == prev);
    };
    for_each_running_vcpu([&](Vcpu& v) {
        if (!available(v) || v.processor != cpu)
            return;
        if (better(&v, best)) {
            second = best;
            best = &v;
        } else if (better(&v, second)) {
            second = &v;
        }
    });
    if (!best) {
        // Our queue is empty: steal the best waiting vCPU of another CPU.
        for_each_running_vcpu([&](Vcpu& v) {
            if (available(v) && better(&v, best))
                best = &v;
        });
    }
    if (!best && prev_yielded && prev && is_runnable(*prev))
        best = prev;  // yielding with nobody else to run
    SchedDecision d;
    if (!best) {
        if (prev)
            prev->on_a_cpu = false;
        return d;
    }
    // Run until best's virtual time passes second's by the allowance.
    uint64_t slice = kBvtMaxSliceNs;
    if (second) {
        uint64_t gap = static_cast<uint64_t>(evt(*second) - evt(*best));
        slice = clamp_slice(gap / mcu_advance(*best->domain) + g_ctx_allow_ns);
    }
    uint64_t limit = best->domain->bvt.warp_limit_ns;
    if (best->bvt.warped && limit) {
        uint64_t left = limit > best->bvt.warped_ran_ns ? limit - best->bvt.warped_ran_ns : 0;
        if (left < slice)
            slice = clamp_slice(left);
    }
    if (best != prev)
        best->bvt.switches_in++;
    best->bvt.on_cpu_since_ns = now;
    if (prev && prev != best)
        prev->on_a_cpu = false;
    best->on_a_cpu = true;
    best->processor = cpu;
    d.next = best;
    d.slice_end_ns = now + slice;
    return d;
}

bool scheduler_wake(Vcpu& v, Vcpu* running, uint64_t now)
{
    // Sleeping earns no credit: catch up with the system virtual time.
    bool any = false;
    uint64_t svt = 0;
    for_each_running_vcpu([&](Vcpu& o) {
        if (&o == &v || !is_runnable(o) || o.processor != v.processor)
            return;
        if (!any || o.bvt.avt < svt)
            svt = o.bvt.avt;
        any = true;
    });
    if (any && v.bvt.avt < svt)
        v.bvt.avt = svt;
    const BvtParams& p = v.domain->bvt;
    if (p.warp_enabled && !v.bvt.warped &&
        (v.bvt.unwarped_at_ns == 0 || now - v.bvt.unwarped_at_ns >= p.unwarp_req_ns)) {
        v.bvt.warped = true;
        v.bvt.warped_ran_ns = 0;
    }
    v.bvt.woken_at_ns = now;
    if (!running || running == &v || !is_runnable(*running))
        return true;
    // Preempt when the woken vCPU is ahead of the running one (charged up
    // to now) by more than the allowance.
    uint64_t ran = now > running->bvt.on_cpu_since_ns ? now - running->bvt.on_cpu_since_ns : 0;
    int64_t running_evt = evt(*running) + static_cast<int64_t>(charge(*running, ran));
    int64_t allowance = static_cast<int64_t>(g_ctx_allow_ns * mcu_advance(*running->domain));
    return evt(v) + allowance < running_evt;
}

void scheduler_sleep(Vcpu& v, uint64_t now) { end_warp(v, now); }

void scheduler_set_ctx_allow(uint64_t ns) { g_ctx_allow_ns = ns; }
uint64_t scheduler_ctx_allow() { return g_ctx_allow_ns; }

Status scheduler_set_params(Domain& d, const BvtParams& p)
{
    if (p.mcu_advance == 0 || p.mcu_advance > 10000)
        return Status::INVALID;
    // An unbounded warp would let one domain hold the CPU for ever.
    if (p.warp_enabled && (p.warp_limit_ns == 0 || p.warp_limit_ns > 1000ull * 1000 * 1000))
        return Status::INVALID;
    d.bvt = p;
    if (!p.warp_enabled)
        for (Vcpu& v : d.vcpus)
            v.bvt.warped = false;
    return Status::OK;
}

void scheduler_domain_stopped(Domain& d)
{
    if (d.id == 0) {
        g_exit_reason = d.shutdown_reason;
        g_dom0_reported = true;
    } else if (!g_dom0_reported) {
        g_exit_reason = d.shutdown_reason;
    }
    // As on Xen, dom0 going down takes the machine with it.
    if (d.id != 0 && domains_alive() != 0)
        return;
    if (d.id == 0)
        VLOG_INFO("dom0 has stopped: stopping the machine (%s)\n", shutdown_reason_name(g_exit_reason));
    else
        VLOG_INFO("No domains left: stopping the machine (%s)\n", shutdown_reason_name(g_exit_reason));
    // The arch layer reports the value to QEMU's isa-debug-exit, then
    // reboots for SHUTDOWN_reboot and powers off otherwise.
    platform().power_off(machine_exit_value());
}

uint8_t machine_exit_value() { return g_exit_reason; }

}  // namespace vireo
