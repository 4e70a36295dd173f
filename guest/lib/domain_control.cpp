#include "guest/lib/domain_control.hpp"

#include "abi/errno.hpp"
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"

namespace guest {
namespace {

// What a new PV domain may use, as a toolstack asks by default: 1023
// event channels (xl's default), a few grant frames and no grant mapping
// of its own to speak of, grant table v1 (Xen 4.17 refuses version 0).
constexpr uint32_t kMaxEvtchnPort = 1023;
constexpr int32_t kMaxGrantFrames = 4;
constexpr int32_t kMaxMaptrackFrames = 16;
constexpr uint32_t kGrantVersion1 = 1;

}  // namespace

long create_pv_domain(uint16_t& domid)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_createdomain, 0);  // 0: any free id
    xen::xen_domctl_createdomain& c = op.u.createdomain;
    c.flags = 0;  // PV: none of the HVM flags
    c.max_vcpus = 1;
    c.max_evtchn_port = kMaxEvtchnPort;
    c.max_grant_frames = kMaxGrantFrames;
    c.max_maptrack_frames = kMaxMaptrackFrames;
    c.grant_opts = kGrantVersion1;
    long r = domctl(op);
    if (r == 0)
        domid = op.domain;
    return r;
}

long create_vcpus(uint16_t domid, uint32_t count)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_max_vcpus, domid);
    op.u.max_vcpus.max = count;
    return domctl(op);
}

long set_max_mem(uint16_t domid, uint64_t max_kb)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_max_mem, domid);
    op.u.max_mem.max_memkb = max_kb;
    return domctl(op);
}

long populate_physmap(uint16_t domid, uint64_t* frames, uint64_t count)
{
    for (uint64_t pfn = 0; pfn < count; ++pfn)
        frames[pfn] = pfn;
    xen::xen_memory_reservation res{};
    res.extent_start = ptr(frames);
    res.nr_extents = count;
    res.domid = domid;
    return hypercall(xen::HYPERVISOR_memory_op, xen::XENMEM_populate_physmap, ptr(&res));
}

long hypercall_init(uint16_t domid, uint64_t mfn)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_hypercall_init, domid);
    op.u.hypercall_init.gmfn = mfn;
    return domctl(op);
}

long set_vcpu_context(uint16_t domid, uint32_t vcpu, const xen::vcpu_guest_context& ctx)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_setvcpucontext, domid);
    op.u.vcpucontext.vcpu = vcpu;
    op.u.vcpucontext.ctxt = ptr(&ctx);
    return domctl(op);
}

long unpause_domain(uint16_t domid)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_unpausedomain, domid);
    return domctl(op);
}

long destroy_domain(uint16_t domid)
{
    // Xen continues a long teardown inside the hypercall; a hypervisor that
    // hands -ERESTART back instead wants the same call again.
    long r;
    do {
        xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_destroydomain, domid);
        r = domctl(op);
    } while (r == -xen::XEN_ERESTART);
    return r;
}

long mmu_update_foreign(uint64_t ptr_, uint64_t val, uint16_t foreigndom)
{
    xen::mmu_update req{ptr_, val};
    return hypercall(xen::HYPERVISOR_mmu_update, ptr(&req), 1, 0, foreigndom);
}

long mmuext_foreign(uint32_t cmd, uint64_t mfn, uint16_t foreigndom)
{
    xen::mmuext_op op{cmd, 0, mfn, 0};
    return hypercall(xen::HYPERVISOR_mmuext_op, ptr(&op), 1, 0, foreigndom);
}


}  // namespace guest
