#include "guest/lib/domctl.hpp"

#include "abi/sysctl.hpp"

#include "guest/lib/runtime.hpp"

namespace guest {

long machine_free_pages()
{
    xen::xen_sysctl op{};
    op.cmd = xen::XEN_SYSCTL_physinfo;
    op.interface_version = xen::XEN_SYSCTL_INTERFACE_VERSION;
    long r = hypercall(xen::HYPERVISOR_sysctl, ptr(&op));
    return r < 0 ? r : static_cast<long>(op.u.physinfo.free_pages);
}

xen::xen_domctl domctl_op(uint32_t cmd, uint16_t domid)
{
    xen::xen_domctl op{};
    op.cmd = cmd;
    op.interface_version = xen::XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = domid;
    return op;
}

long domctl(xen::xen_domctl& op) { return hypercall(xen::HYPERVISOR_domctl, ptr(&op)); }

namespace {

xen::xen_domctl sched_op(uint16_t domid, uint32_t cmd)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_scheduler_op, domid);
    op.u.scheduler_op.sched_id = xen::VIREO_SCHEDULER_BVT;
    op.u.scheduler_op.cmd = cmd;
    return op;
}

}  // namespace

bool domain_info(uint16_t domid, xen::xen_domctl_getdomaininfo& out)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_getdomaininfo, domid);
    if (domctl(op) != 0 || op.domain != domid)
        return false;
    out = op.u.getdomaininfo;
    return true;
}

long bvt_get(uint16_t domid, xen::vireo_domctl_sched_bvt& out)
{
    xen::xen_domctl op = sched_op(domid, xen::XEN_DOMCTL_SCHEDOP_getinfo);
    long r = domctl(op);
    out = op.u.scheduler_op.u.bvt;
    return r;
}

long bvt_set(uint16_t domid, const xen::vireo_domctl_sched_bvt& params)
{
    xen::xen_domctl op = sched_op(domid, xen::XEN_DOMCTL_SCHEDOP_putinfo);
    op.u.scheduler_op.u.bvt = params;
    return domctl(op);
}

}  // namespace guest
