// vcpu_op (the vCPU's timers and state) and set_timer_op.
#include "abi/event_channel.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_time.hpp"

namespace vireo {
namespace {

// A deadline in the past still fires, at once (Linux relies on it).
void arm_singleshot(Vcpu& v, uint64_t deadline)
{
    v.timer_deadline_ns = deadline ? deadline : 1;
    platform().timers_changed();
}

}  // namespace

HypercallResult do_set_timer_op(Vcpu& v, HypercallArgs& args)
{
    if (args.a[0] == 0) {
        v.timer_deadline_ns = 0;
        return 0;
    }
    arm_singleshot(v, args.a[0]);
    return 0;
}

HypercallResult do_vcpu_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t cmd = args.a[0], id = args.a[1], arg = args.a[2];
    if (id >= d.nr_vcpus)  // as Xen: a vCPU the domain does not have
        return hc_error(Status::NOT_FOUND);
    Vcpu& target = d.vcpus[id];
    switch (cmd) {
    case xen::VCPUOP_is_up:
        return target.state != VcpuState::DOWN ? 1 : 0;
    case xen::VCPUOP_set_singleshot_timer: {
        // Timers are per vCPU: a guest sets only its own (as Xen requires).
        if (&target != &v)
            return hc_error(Status::INVALID);
        xen::vcpu_set_singleshot_timer t;
        if (platform().copy_from_guest(&t, arg, sizeof t) != Status::OK)
            return hc_error(Status::FAULT);
        // VCPU_SSHOTTMR_future is ignored, as by Xen 4.17: a deadline in
        // the past fires at once.
        arm_singleshot(v, t.timeout_abs_ns);
        return 0;
    }
    case xen::VCPUOP_stop_singleshot_timer:
        if (&target != &v)
            return hc_error(Status::INVALID);
        v.timer_deadline_ns = 0;
        return 0;
    case xen::VCPUOP_set_periodic_timer: {
        xen::vcpu_set_periodic_timer t;
        if (platform().copy_from_guest(&t, arg, sizeof t) != Status::OK)
            return hc_error(Status::FAULT);
        if (t.period_ns < 1000000)  // Xen's floor: 1 ms
            return hc_error(Status::INVALID);
        target.timer_period_ns = t.period_ns;
        // Like Xen, the next tick is due a period after the last one, so a
        // timer restarted after a pause ticks at once.
        platform().timers_changed();
        return 0;
    }
    case xen::VCPUOP_stop_periodic_timer:
        target.timer_period_ns = 0;
        return 0;
    default:
        report_unsupported(d, xen::HYPERVISOR_vcpu_op, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo
