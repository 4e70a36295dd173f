// domctl: a privileged domain's view and control of the others. For now
// getdomaininfo (what `xl list` shows: pages, vCPUs, state, CPU time) and
// the BVT scheduler's parameters, settable at run time.
#include "abi/domctl.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/scheduler.hpp"
#include "abi/xen.hpp"

namespace vireo {
namespace {

// The first live domain whose id is at least `from` (Xen 4.17 answers
// getdomaininfo this way, so a toolstack can walk every domain).
Domain* first_domain_from(uint16_t from)
{
    Domain* best = nullptr;
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (domain_is_live(*d) && d->id >= from && (!best || d->id < best->id))
            best = d;
    }
    return best;
}

void fill_info(const Domain& d, const Vcpu& caller, xen::xen_domctl_getdomaininfo& info)
{
    info = {};
    info.domain = d.id;
    bool any_running = false, all_blocked = d.nr_vcpus > 0;
    uint64_t cpu_time = 0;
    for (unsigned i = 0; i < d.nr_vcpus; ++i) {
        const Vcpu& v = d.vcpus[i];
        cpu_time += v.bvt.cpu_time_ns;
        if (&v == &caller)  // its current stint is not charged yet
            cpu_time += platform().now_ns() - v.bvt.on_cpu_since_ns;
        any_running |= v.state == VcpuState::RUNNABLE;
        all_blocked &= v.state != VcpuState::RUNNABLE;
        if (v.state != VcpuState::DOWN)
            ++info.nr_online_vcpus;
    }
    if (d.state == DomainState::SHUT_DOWN)
        info.flags |= xen::XEN_DOMINF_shutdown | (uint32_t{d.shutdown_reason} << xen::XEN_DOMINF_shutdownshift);
    else if (d.state == DomainState::RUNNING)
        info.flags |= any_running ? xen::XEN_DOMINF_running : all_blocked ? xen::XEN_DOMINF_blocked : 0;
    info.tot_pages = d.tot_pages;
    info.max_pages = d.max_pages;
    info.shared_info_frame = d.shared_info_maddr >> 12;
    info.cpu_time = cpu_time;
    info.max_vcpu_id = d.nr_vcpus ? d.nr_vcpus - 1 : ~0u;
    info.gpaddr_bits = 52;
}

HypercallResult scheduler_op(Domain& target, xen::xen_domctl_scheduler_op& op, bool& copy_back)
{
    if (op.sched_id != xen::VIREO_SCHEDULER_BVT)
        return hc_error(Status::INVALID);
    xen::vireo_domctl_sched_bvt& p = op.u.bvt;
    switch (op.cmd) {
    case xen::XEN_DOMCTL_SCHEDOP_getinfo:
        p = {};
        p.mcu_advance = mcu_advance(target);
        p.warp_enabled = target.bvt.warp_enabled;
        p.warp = target.bvt.warp;
        p.warp_limit_ns = target.bvt.warp_limit_ns;
        p.unwarp_req_ns = target.bvt.unwarp_req_ns;
        copy_back = true;
        return 0;
    case xen::XEN_DOMCTL_SCHEDOP_putinfo: {
        BvtParams params;
        params.mcu_advance = p.mcu_advance;
        params.warp_enabled = p.warp_enabled != 0;
        params.warp = p.warp;
        params.warp_limit_ns = p.warp_limit_ns;
        params.unwarp_req_ns = p.unwarp_req_ns;
        Status s = scheduler_set_params(target, params);
        return s == Status::OK ? 0 : hc_error(s);
    }
    default:
        return hc_error(Status::INVALID);
    }
}

}  // namespace

HypercallResult do_domctl(Vcpu& v, HypercallArgs& args)
{
    Domain& caller = *v.domain;
    if (!caller.privileged)
        return hc_error(Status::PERMISSION);
    uint64_t arg = args.a[0];
    xen::xen_domctl op;
    if (platform().copy_from_guest(&op, arg, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    if (op.interface_version != xen::XEN_DOMCTL_INTERFACE_VERSION)
        return hc_error(Status::ACCESS);
    bool copy_back = false;
    HypercallResult r;
    switch (op.cmd) {
    case xen::XEN_DOMCTL_getdomaininfo: {
        Domain* d = first_domain_from(op.domain);
        if (!d)
            return hc_error(Status::NO_DOMAIN);
        fill_info(*d, v, op.u.getdomaininfo);
        op.domain = d->id;
        copy_back = true;
        r = 0;
        break;
    }
    case xen::XEN_DOMCTL_scheduler_op: {
        uint16_t id = op.domain == xen::DOMID_SELF ? caller.id : op.domain;
        Domain* d = domain_lookup(id);
        if (!d)  // domain_lookup finds live domains only
            return hc_error(Status::NO_DOMAIN);
        r = scheduler_op(*d, op.u.scheduler_op, copy_back);
        break;
    }
    default:
        report_unsupported(caller, xen::HYPERVISOR_domctl, op.cmd);
        return hc_error(Status::NOT_SUPPORTED);
    }
    if (copy_back && platform().copy_to_guest(arg, &op, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    return r;
}

}  // namespace vireo
