// vcpu_op (the vCPU's timers and state) and set_timer_op.
#include "abi/event_channel.hpp"
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/log.hpp"
#include "hv/core/vcpu_events.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/runstate.hpp"
#include "hv/core/vcpu_context.hpp"
#include "hv/core/vcpu_time.hpp"

namespace vireo {
namespace {

// A deadline in the past still fires, at once (Linux relies on it).
void arm_singleshot(Vcpu& v, uint64_t deadline)
{
    v.timer_deadline_ns = deadline ? deadline : 1;
    platform().timers_changed();
}

// Moves target's vcpu_info into a page of the guest's (Linux puts it in
// per-CPU data). The page keeps a writable type reference for the vCPU's
// life, so it can never become a page table. As Xen: once per vCPU, only
// for the caller itself or a vCPU that is down, and every event is then
// marked pending so none is lost in the move.
Status register_vcpu_info(Vcpu& caller, Vcpu& target, const xen::vcpu_register_vcpu_info& info)
{
    Domain& d = *caller.domain;
    if (&target != &caller && target.state != VcpuState::DOWN)
        return Status::INVALID;
    if (info.offset > kPageSize - sizeof(xen::vcpu_info) || info.rsvd)
        return Status::INVALID;
    if (target.vcpu_info_registered)
        return Status::INVALID;
    Mfn mfn(info.mfn);
    if (frame_table().get_page(mfn, d.id) != Status::OK)
        return Status::INVALID;
    if (frame_table().get_type(mfn, PageType::WRITABLE, nullptr) != Status::OK) {
        (void)frame_table().put_page(mfn);
        return Status::INVALID;
    }
    uint64_t maddr = (mfn.raw << kPageShift) + info.offset;
    auto* from = static_cast<xen::vcpu_info*>(map_machine_memory(target.vcpu_info_maddr));
    auto* to = static_cast<xen::vcpu_info*>(map_machine_memory(maddr));
    *to = *from;
    to->evtchn_upcall_pending = 1;
    to->evtchn_pending_sel = ~uint64_t{0};
    target.vcpu_info_maddr = maddr;
    target.vcpu_info_registered = true;
    return Status::OK;
}

}  // namespace

VIREO_WARM HypercallResult do_set_timer_op(Vcpu& v, HypercallArgs& args)
{
    if (args.a[0] == 0) {
        v.timer_deadline_ns = 0;
        return 0;
    }
    if (v.in_local_hypercall) {
        // Domain-local (hypercall.hpp) while it needs no firing now.
        const Platform& p = platform();
        if (!p.timer_arm_here || args.a[0] <= p.now_ns())
            return kHypercallNeedsExclusive;
        v.timer_deadline_ns = args.a[0];
        p.timer_arm_here(args.a[0]);
        return 0;
    }
    arm_singleshot(v, args.a[0]);
    return 0;
}

VIREO_WARM HypercallResult do_vcpu_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t cmd = args.a[0], id = args.a[1], arg = args.a[2];
    if (id >= d.nr_vcpus)  // as Xen: a vCPU the domain does not have
        return hc_error(Status::NOT_FOUND);
    Vcpu& target = d.vcpus[id];
    switch (cmd) {
    case xen::VCPUOP_is_up:
        return target.state != VcpuState::DOWN ? 1 : 0;
    case xen::VCPUOP_down:
        // Linux's halt with interrupts off: the vCPU stops until another
        // brings it up again.
        if (target.state != VcpuState::DOWN) {
            VLOG_INFO("d%u v%u: down (VCPUOP_down)\n", d.id, target.id);
            vcpu_down(target);
        }
        return 0;
    case xen::VCPUOP_initialise: {
        // 5 KiB: read in two halves would tear it; a static buffer is
        // fine on one CPU with interrupts off in the hypervisor.
        static xen::vcpu_guest_context ctx;
        if (platform().copy_from_guest(&ctx, arg, sizeof ctx) != Status::OK)
            return hc_error(Status::FAULT);
        return hc_error(vcpu_initialise(target, ctx));
    }
    case xen::VCPUOP_up:
        if (!target.initialised)
            return hc_error(Status::INVALID);
        vcpu_up(target);
        return 0;
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
    case xen::VCPUOP_register_vcpu_info: {
        xen::vcpu_register_vcpu_info info;
        if (platform().copy_from_guest(&info, arg, sizeof info) != Status::OK)
            return hc_error(Status::FAULT);
        return hc_error(register_vcpu_info(v, target, info));
    }
    case xen::VCPUOP_register_runstate_memory_area: {
        // A guest virtual address, as on Xen x86; 0 unregisters. It is
        // written at every switch in and out, and now if it is ours.
        xen::vcpu_register_runstate_memory_area area;
        if (platform().copy_from_guest(&area, arg, sizeof area) != Status::OK)
            return hc_error(Status::FAULT);
        target.runstate_guest_va = area.addr;
        if (&target == &v) {
            runstate_change(v, xen::RUNSTATE_running, platform().now_ns());
            runstate_publish(v);
        }
        return 0;
    }
    case xen::VCPUOP_get_runstate_info: {
        xen::vcpu_runstate_info r = runstate_snapshot(target, platform().now_ns());
        return hc_error(platform().copy_to_guest(arg, &r, sizeof r));
    }
    default:
        report_unsupported(d, xen::HYPERVISOR_vcpu_op, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo
