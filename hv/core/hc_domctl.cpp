// domctl: a privileged domain's view and control of the others, with Xen
// 4.17's answers: getdomaininfo (what `xl list` shows), the BVT scheduler's
// parameters, and what a toolstack needs to build a PV domain and end it
// (createdomain, max_mem, set/getvcpucontext, pause/unpause, destroy;
// domain_control.hpp and vcpu_context.hpp do the work).
//
// Order of checks, as Xen's do_domctl: the argument is read (EFAULT), its
// interface version checked (EACCES), the target looked up (ESRCH; not for
// createdomain and getdomaininfo), then the caller's privilege (EPERM).
#include "abi/domctl.hpp"
#include "hv/core/domain_control.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hypercall_page.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/scheduler.hpp"
#include "hv/core/vcpu_context.hpp"
#include "abi/xen.hpp"

namespace vireo {
namespace {

// Xen errno values the Status enum has no name for.
constexpr HypercallResult kENODATA = -61;
constexpr HypercallResult kEOVERFLOW = -75;
constexpr HypercallResult kEOPNOTSUPP = -95;

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
    // As Xen: blocked only if every online vCPU is, running if one is on a
    // CPU now (paused vCPUs are neither).
    uint32_t flags = xen::XEN_DOMINF_blocked;
    uint64_t cpu_time = 0;
    for (unsigned i = 0; i < d.nr_vcpus; ++i) {
        const Vcpu& v = d.vcpus[i];
        cpu_time += v.bvt.cpu_time_ns;
        if (&v == &caller)  // its current stint is not charged yet
            cpu_time += platform().now_ns() - v.bvt.on_cpu_since_ns;
        if (v.state == VcpuState::DOWN)
            continue;
        if (v.state != VcpuState::BLOCKED)
            flags &= ~xen::XEN_DOMINF_blocked;
        if (v.on_a_cpu)
            flags |= xen::XEN_DOMINF_running;
        ++info.nr_online_vcpus;
    }
    bool shut_down = d.state == DomainState::SHUT_DOWN || (d.state == DomainState::DYING && d.was_shut_down);
    info.flags = (info.nr_online_vcpus ? flags : 0) | (d.controller_pause_count ? xen::XEN_DOMINF_paused : 0);
    // Xen reports dying once the domain is taken apart (DOMDYING_dead).
    if (d.state == DomainState::DYING && d.resources_released)
        info.flags |= xen::XEN_DOMINF_dying;
    // The shutdown code sits above the flags; Xen's is SHUTDOWN_CODE_INVALID
    // (-1: all ones there) until the domain shuts down.
    if (shut_down)
        info.flags |= xen::XEN_DOMINF_shutdown | (uint32_t{d.shutdown_reason} << xen::XEN_DOMINF_shutdownshift);
    else
        info.flags |= 0xffffu << xen::XEN_DOMINF_shutdownshift;
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

HypercallResult max_mem(Domain& d, const xen::xen_domctl_max_mem& m)
{
    // As Xen: max_pages may fall below tot_pages (then nothing more is
    // given until the domain is back under it); its field is 32 bits wide.
    uint64_t pages = m.max_memkb >> 2;
    d.max_pages = pages < UINT32_MAX ? pages : UINT32_MAX;
    return 0;
}

// A vCPU of d that no CPU runs, or why not: INVALID for a vCPU d does not
// have; a restart while a CPU still runs it (d paused: it leaves soon);
// BUSY when d is not paused and the vCPU runs.
HypercallResult vcpu_for_context(Domain& d, uint32_t id, Vcpu*& out)
{
    if (id >= d.nr_vcpus)
        return hc_error(Status::INVALID);
    Vcpu& v = d.vcpus[id];
    if (v.on_a_cpu)
        return d.controller_pause_count || v.state == VcpuState::DOWN ? kHypercallRestart : hc_error(Status::BUSY);
    out = &v;
    return 0;
}

HypercallResult setvcpucontext(Domain& d, const xen::xen_domctl_vcpucontext& vc)
{
    Vcpu* v = nullptr;
    if (HypercallResult r = vcpu_for_context(d, vc.vcpu, v); r != 0)
        return r;
    if (!vc.ctxt) {
        vcpu_reset(*v);
        return 0;
    }
    // 5 KiB: static, as VCPUOP_initialise's (one hypercall at a time).
    static xen::vcpu_guest_context ctx;
    if (platform().copy_from_guest(&ctx, vc.ctxt, sizeof ctx) != Status::OK)
        return hc_error(Status::FAULT);
    Status s = vcpu_set_context(*v, ctx);
    return s == Status::NOT_SUPPORTED ? kEOPNOTSUPP : hc_error(s);
}

HypercallResult getvcpucontext(Domain& d, const xen::xen_domctl_vcpucontext& vc)
{
    Vcpu* v = nullptr;
    if (HypercallResult r = vcpu_for_context(d, vc.vcpu, v); r != 0)
        return r;
    if (!v->initialised)
        return kENODATA;
    static xen::vcpu_guest_context ctx;
    vcpu_get_context(*v, ctx);
    return platform().copy_to_guest(vc.ctxt, &ctx, sizeof ctx) == Status::OK ? 0 : hc_error(Status::FAULT);
}

// Fills one of d's frames with the hypercall page, as Xen's arch_do_domctl:
// a frame that is not d's is EINVAL, one that cannot be written (a page
// table, a descriptor page) EPERM.
HypercallResult hypercall_init(Domain& d, const xen::xen_domctl& op)
{
    Mfn mfn(op.u.hypercall_init.gmfn);
    if (frame_table().get_page(mfn, d.id) != Status::OK)
        return hc_error(Status::INVALID);
    if (frame_table().get_type(mfn, PageType::WRITABLE, nullptr) != Status::OK) {
        (void)frame_table().put_page(mfn);
        return hc_error(Status::PERMISSION);
    }
    fill_hypercall_page(static_cast<uint8_t*>(map_machine_memory(mfn.raw << kPageShift)));
    (void)frame_table().put_type(mfn, nullptr);
    (void)frame_table().put_page(mfn);
    return 0;
}

HypercallResult createdomain(xen::xen_domctl& op)
{
    // The id first, as Xen: a taken one is EEXIST whatever the rest says.
    Result<uint16_t> id = createdomain_pick_id(op.domain);
    if (!id.ok())
        return hc_error(id.status());
    Result<Domain*> d = domain_create_for_toolstack(id.value(), op.u.createdomain);
    if (!d.ok())
        return d.status() == Status::NOT_SUPPORTED ? kEOPNOTSUPP : hc_error(d.status());
    op.domain = id.value();
    return 0;
}

}  // namespace

HypercallResult do_domctl(Vcpu& v, HypercallArgs& args)
{
    Domain& caller = *v.domain;
    uint64_t arg = args.a[0];
    xen::xen_domctl op;
    if (platform().copy_from_guest(&op, arg, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    if (op.interface_version != xen::XEN_DOMCTL_INTERFACE_VERSION)
        return hc_error(Status::ACCESS);
    // The target: none for createdomain, the first from an id for
    // getdomaininfo; destroydomain finds a dying domain too (it continues
    // until the domain is taken apart).
    Domain* d = nullptr;
    bool known = false;
    switch (op.cmd) {
    case xen::XEN_DOMCTL_createdomain:
    case xen::XEN_DOMCTL_getdomaininfo:
        break;
    case xen::XEN_DOMCTL_destroydomain:
        d = domain_find(op.domain);
        known = true;
        break;
    case xen::XEN_DOMCTL_pausedomain:
    case xen::XEN_DOMCTL_unpausedomain:
    case xen::XEN_DOMCTL_max_mem:
    case xen::XEN_DOMCTL_setvcpucontext:
    case xen::XEN_DOMCTL_getvcpucontext:
    case xen::XEN_DOMCTL_max_vcpus:
    case xen::XEN_DOMCTL_hypercall_init:
        d = domain_lookup(op.domain);
        known = true;
        break;
    case xen::XEN_DOMCTL_scheduler_op:
        d = domain_lookup(op.domain == xen::DOMID_SELF ? caller.id : op.domain);
        known = true;
        break;
    default:
        break;
    }
    if (known && !d)
        return hc_error(Status::NO_DOMAIN);
    if (!caller.privileged)
        return hc_error(Status::PERMISSION);
    bool copy_back = false;
    HypercallResult r;
    switch (op.cmd) {
    case xen::XEN_DOMCTL_getdomaininfo: {
        if (op.domain >= xen::DOMID_FIRST_RESERVED)
            return hc_error(Status::INVALID);
        Domain* found = first_domain_from(op.domain);
        if (!found)
            return hc_error(Status::NO_DOMAIN);
        fill_info(*found, v, op.u.getdomaininfo);
        op.domain = found->id;
        copy_back = true;
        r = 0;
        break;
    }
    case xen::XEN_DOMCTL_scheduler_op:
        r = scheduler_op(*d, op.u.scheduler_op, copy_back);
        break;
    case xen::XEN_DOMCTL_createdomain:
        r = createdomain(op);
        copy_back = r == 0;
        break;
    case xen::XEN_DOMCTL_destroydomain: {
        if (d == &caller)
            return hc_error(Status::INVALID);
        Status s = domain_kill(*d);
        return s == Status::RESTART ? kHypercallRestart : hc_error(s);
    }
    case xen::XEN_DOMCTL_pausedomain: {
        if (d == &caller)
            return hc_error(Status::INVALID);
        Status s = domain_pause_by_controller(*d);
        return s == Status::RANGE ? kEOVERFLOW : hc_error(s);
    }
    case xen::XEN_DOMCTL_unpausedomain:
        return hc_error(domain_unpause_by_controller(*d));
    case xen::XEN_DOMCTL_max_mem:
        return max_mem(*d, op.u.max_mem);
    case xen::XEN_DOMCTL_max_vcpus: {
        if (d == &caller)
            return hc_error(Status::INVALID);
        return hc_error(domain_create_vcpus(*d, op.u.max_vcpus.max));
    }
    case xen::XEN_DOMCTL_hypercall_init:
        return hypercall_init(*d, op);
    case xen::XEN_DOMCTL_setvcpucontext:
        // Xen pauses the target around it, so never its own domain.
        if (d == &caller)
            return hc_error(Status::INVALID);
        return setvcpucontext(*d, op.u.vcpucontext);
    case xen::XEN_DOMCTL_getvcpucontext:
        if (d == &caller && op.u.vcpucontext.vcpu == v.id)
            return hc_error(Status::INVALID);  // no vcpu_pause() of itself
        r = getvcpucontext(*d, op.u.vcpucontext);
        copy_back = r != kHypercallRestart && r != hc_error(Status::INVALID) && r != kENODATA;
        break;
    default:
        report_unsupported(caller, xen::HYPERVISOR_domctl, op.cmd);
        return hc_error(Status::NOT_SUPPORTED);
    }
    if (copy_back && platform().copy_to_guest(arg, &op, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    return r;
}

}  // namespace vireo
