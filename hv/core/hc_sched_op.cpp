// sched_op: yield, block, shutdown (with its reason and an optional code),
// poll and the rest. The scheduling effect itself is carried out by the
// arch layer after the hypercall returns (it checks the vCPU's state).
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_events.hpp"

namespace vireo {

HypercallResult do_sched_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t cmd = args.a[0], arg = args.a[1];
    switch (cmd) {
    case xen::SCHEDOP_yield:
        vcpu_request_yield(v);
        return 0;
    case xen::SCHEDOP_block:
        vcpu_block(v);
        return 0;
    case xen::SCHEDOP_shutdown: {
        xen::sched_shutdown req;
        if (platform().copy_from_guest(&req, arg, sizeof req) != Status::OK)
            return hc_error(Status::FAULT);
        // Like Xen, any reason is accepted; unknown ones are reported as such.
        domain_shutdown(d, req.reason > 0xff ? 0xff : static_cast<uint8_t>(req.reason));
        return 0;
    }
    case xen::SCHEDOP_shutdown_code: {
        xen::sched_shutdown req;
        if (platform().copy_from_guest(&req, arg, sizeof req) != Status::OK)
            return hc_error(Status::FAULT);
        d.shutdown_code = req.reason;
        return 0;
    }
    default:
        report_unsupported(d, xen::HYPERVISOR_sched_op, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo
