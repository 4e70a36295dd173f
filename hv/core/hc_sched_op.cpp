// sched_op: yield, block, shutdown (with its reason and an optional code),
// poll and the rest. The scheduling effect itself is carried out by the
// arch layer after the hypercall returns (it checks the vCPU's state).
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_events.hpp"

namespace vireo {
namespace {

// Xen's limit on the ports one poll may name.
constexpr uint32_t kMaxPollPorts = 128;

// SCHEDOP_poll: sleep until one of the ports is pending (masked or not) or
// the timeout passes, without unmasking events (Linux's PV spinlocks wait
// here with interrupts off). Returns at once if one is pending already.
HypercallResult poll(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::sched_poll req;
    if (platform().copy_from_guest(&req, arg, sizeof req) != Status::OK)
        return hc_error(Status::FAULT);
    if (req.nr_ports > kMaxPollPorts)
        return hc_error(Status::INVALID);
    uint32_t ports[kMaxPollPorts];
    if (req.nr_ports && platform().copy_from_guest(ports, req.ports, req.nr_ports * sizeof ports[0]) != Status::OK)
        return hc_error(Status::FAULT);
    for (uint32_t i = 0; i < req.nr_ports; ++i) {
        if (ports[i] == 0 || ports[i] >= kMaxEventPorts || d.ports[ports[i]].state == PortState::FREE)
            return hc_error(Status::INVALID);
        if (evtchn_is_pending(d, ports[i]))
            return 0;
    }
    vcpu_poll_block(v, req.nr_ports == 1 ? static_cast<int32_t>(ports[0]) : -1, req.timeout);
    return 0;
}

}  // namespace

VIREO_WARM HypercallResult do_sched_op(Vcpu& v, HypercallArgs& args)
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
    case xen::SCHEDOP_poll:
        return poll(v, arg);
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
