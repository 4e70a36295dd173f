// event_channel_op: allocating, binding, signalling and closing ports.
#include "abi/event_channel.hpp"
#include "abi/xen.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/guest_console.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

// Per-vCPU VIRQs (each vCPU has its own); every other one is global and is
// bound on vCPU 0 (Xen's virq_is_global).
bool virq_is_global(uint32_t virq)
{
    return virq != xen::VIRQ_TIMER && virq != xen::VIRQ_DEBUG && virq != xen::VIRQ_XENOPROF &&
           virq != xen::VIRQ_XENPMU;
}

template <typename T>
Status read_arg(uint64_t va, T& out)
{
    return platform().copy_from_guest(&out, va, sizeof out);
}

template <typename T>
Status write_arg(uint64_t va, const T& in)
{
    return platform().copy_to_guest(va, &in, sizeof in);
}

bool valid_port(const Domain& d, uint32_t port) { return port > 0 && port < kMaxEventPorts && d.ports[port].state != PortState::FREE; }

// Ports that exist at all (Xen's port_is_valid): below the 2-level limit,
// the reserved port 0 and closed ports included. Unmask and status work on
// these; Xen counts storage in buckets of 64 ports, so a port it never
// allocated storage for is -EINVAL there, while here every port below the
// limit exists.
bool port_exists(uint32_t port) { return port < kMaxEventPorts; }

// A port allocation failure is -ENOSPC in Xen's ABI.
HypercallResult no_space() { return -28; }

HypercallResult alloc_unbound(Vcpu& v, uint64_t arg)
{
    Domain& caller = *v.domain;
    xen::evtchn_alloc_unbound req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    // The port is made in req.dom (a toolstack sets one up in a new domain
    // for a third one, xenstore or a backend): a privileged domain's right
    // for a domain other than itself. Checked in Xen 4.17's order: the
    // domain exists (-ESRCH), it has a free port (-ENOSPC), the caller may
    // (-EPERM).
    Domain* d = req.dom == xen::DOMID_SELF ? &caller : domain_lookup(req.dom);
    if (!d || !domain_is_live(*d) || d->resources_released)
        return hc_error(Status::NO_DOMAIN);
    Result<uint32_t> port = evtchn_alloc_port(*d);
    if (!port.ok())
        return no_space();
    if (d != &caller && !caller.privileged) {
        evtchn_free_port(*d, port.value());
        return hc_error(Status::PERMISSION);
    }
    // DOMID_SELF names the caller, wherever the port is.
    uint16_t remote = req.remote_dom == xen::DOMID_SELF ? caller.id : req.remote_dom;
    EventPort& p = d->ports[port.value()];
    p.state = PortState::UNBOUND;
    p.remote_dom = remote;
    req.port = port.value();
    if (write_arg(arg, req) != Status::OK) {
        evtchn_free_port(*d, port.value());
        return hc_error(Status::FAULT);
    }
    return 0;
}

HypercallResult bind_interdomain(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::evtchn_bind_interdomain req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    Domain* peer = req.remote_dom == xen::DOMID_SELF ? &d : domain_lookup(req.remote_dom);
    if (!peer)
        return hc_error(Status::NO_DOMAIN);
    if (req.remote_port == 0 || req.remote_port >= kMaxEventPorts)
        return hc_error(Status::INVALID);
    EventPort& rp = peer->ports[req.remote_port];
    if (rp.state != PortState::UNBOUND || rp.remote_dom != d.id)
        return hc_error(Status::INVALID);
    Result<uint32_t> port = evtchn_alloc_port(d);
    if (!port.ok())
        return no_space();
    EventPort& lp = d.ports[port.value()];
    lp.state = PortState::INTERDOMAIN;
    lp.remote_dom = peer->id;
    lp.remote_port = req.remote_port;
    lp.vcpu = 0;  // as Xen: vCPU 0 until bind_vcpu moves it
    rp.state = PortState::INTERDOMAIN;
    rp.remote_dom = d.id;
    rp.remote_port = port.value();
    req.local_port = port.value();
    (void)write_arg(arg, req);
    // Xen raises the new local port once, so neither end misses an event
    // sent before the binding completed.
    evtchn_set_pending(d, port.value());
    return 0;
}

HypercallResult bind_virq(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::evtchn_bind_virq req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    if (req.virq >= kNrVirqs)
        return hc_error(Status::INVALID);
    if (req.vcpu >= d.nr_vcpus)
        return hc_error(Status::NOT_FOUND);
    if (virq_is_global(req.virq) && req.vcpu != 0)
        return hc_error(Status::INVALID);  // global VIRQs bind on vCPU 0
    Vcpu& target = d.vcpus[req.vcpu];
    if (target.virq_port[req.virq])
        return hc_error(Status::EXISTS);
    Result<uint32_t> port = evtchn_alloc_port(d);
    if (!port.ok())
        return no_space();
    EventPort& p = d.ports[port.value()];
    p.state = PortState::VIRQ;
    p.virq = req.virq;
    p.vcpu = static_cast<uint8_t>(req.vcpu);
    target.virq_port[req.virq] = port.value();
    req.port = port.value();
    (void)write_arg(arg, req);
    return 0;
}

HypercallResult bind_ipi(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::evtchn_bind_ipi req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    if (req.vcpu >= d.nr_vcpus)
        return hc_error(Status::NOT_FOUND);
    Result<uint32_t> port = evtchn_alloc_port(d);
    if (!port.ok())
        return no_space();
    EventPort& p = d.ports[port.value()];
    p.state = PortState::IPI;
    p.vcpu = static_cast<uint8_t>(req.vcpu);
    req.port = port.value();
    (void)write_arg(arg, req);
    return 0;
}

// A physical interrupt the domain mapped (physdev_op map_pirq), on a new
// port notifying vCPU 0. Xen lets only domains with access to the IRQ bind
// it; Vireo maps lines to privileged domains only.
HypercallResult bind_pirq(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::evtchn_bind_pirq req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    if (req.pirq >= kMaxPirqs)
        return hc_error(Status::INVALID);
    if (!d.privileged)
        return hc_error(Status::PERMISSION);
    Result<uint32_t> port = pirq_bind(d, req.pirq);
    if (!port.ok())
        return port.status() == Status::NO_MEMORY ? no_space() : hc_error(port.status());
    req.port = port.value();
    (void)write_arg(arg, req);
    return 0;
}

HypercallResult send(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::evtchn_send req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    if (!valid_port(d, req.port))
        return hc_error(Status::INVALID);
    EventPort& p = d.ports[req.port];
    // Domain-local: only a port of its own that wakes nobody.
    if (v.in_local_hypercall) {
        bool own = p.state == PortState::IPI || p.state == PortState::UNBOUND ||
                   (p.state == PortState::INTERDOMAIN && p.remote_dom == d.id);
        uint32_t raised = p.state == PortState::INTERDOMAIN ? p.remote_port : req.port;
        if (!own || (p.state != PortState::UNBOUND && !evtchn_raise_is_local(d, raised)))
            return kHypercallNeedsExclusive;
    }
    switch (p.state) {
    case PortState::INTERDOMAIN:
        if (p.remote_dom == kConsoleBackendDomain)
            guest_console_kick(d);
        else if (Domain* peer = domain_lookup(p.remote_dom))
            evtchn_set_pending(*peer, p.remote_port);
        return 0;
    case PortState::IPI:
        evtchn_set_pending(d, req.port);
        return 0;
    case PortState::UNBOUND:
        return 0;  // nobody listens yet: dropped, as on Xen
    default:
        return hc_error(Status::INVALID);
    }
}

HypercallResult status(Vcpu& v, uint64_t arg)
{
    Domain& d = *v.domain;
    xen::evtchn_status req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    Domain* target = req.dom == xen::DOMID_SELF || req.dom == d.id ? &d : nullptr;
    if (!target && v.in_local_hypercall)
        return kHypercallNeedsExclusive;  // another domain's port
    if (!target) {
        if (!d.privileged)
            return hc_error(Status::PERMISSION);
        target = domain_lookup(req.dom);
        if (!target)
            return hc_error(Status::NO_DOMAIN);
    }
    if (!port_exists(req.port))
        return hc_error(Status::INVALID);
    const EventPort& p = target->ports[req.port];
    req.vcpu = p.vcpu;
    req.u = {};
    switch (p.state) {
    case PortState::FREE:
    case PortState::RESERVED: req.status = xen::EVTCHNSTAT_closed; break;
    case PortState::UNBOUND:
        req.status = xen::EVTCHNSTAT_unbound;
        req.u.unbound.dom = p.remote_dom;
        break;
    case PortState::INTERDOMAIN:
        req.status = xen::EVTCHNSTAT_interdomain;
        req.u.interdomain.dom = p.remote_dom;
        req.u.interdomain.port = p.remote_port;
        break;
    case PortState::VIRQ:
        req.status = xen::EVTCHNSTAT_virq;
        req.u.virq = p.virq;
        break;
    case PortState::IPI: req.status = xen::EVTCHNSTAT_ipi; break;
    case PortState::PIRQ:
        req.status = xen::EVTCHNSTAT_pirq;
        req.u.pirq = p.pirq;
        break;
    }
    return write_arg(arg, req) == Status::OK ? 0 : hc_error(Status::FAULT);
}

}  // namespace

VIREO_WARM HypercallResult do_event_channel_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t cmd = args.a[0], arg = args.a[1];
    // Domain-local (hypercall.hpp): signalling, status, unmask; binding and
    // closing reach other domains and are rare.
    if (v.in_local_hypercall && cmd != xen::EVTCHNOP_send && cmd != xen::EVTCHNOP_status &&
        cmd != xen::EVTCHNOP_unmask)
        return kHypercallNeedsExclusive;
    switch (cmd) {
    case xen::EVTCHNOP_alloc_unbound: return alloc_unbound(v, arg);
    case xen::EVTCHNOP_bind_interdomain: return bind_interdomain(v, arg);
    case xen::EVTCHNOP_bind_virq: return bind_virq(v, arg);
    case xen::EVTCHNOP_bind_ipi: return bind_ipi(v, arg);
    case xen::EVTCHNOP_bind_pirq: return bind_pirq(v, arg);
    case xen::EVTCHNOP_send: return send(v, arg);
    case xen::EVTCHNOP_status: return status(v, arg);
    case xen::EVTCHNOP_close: {
        xen::evtchn_close req;
        if (read_arg(arg, req) != Status::OK)
            return hc_error(Status::FAULT);
        return hc_error(evtchn_close(d, req.port));
    }
    case xen::EVTCHNOP_unmask: {
        xen::evtchn_unmask req;
        if (read_arg(arg, req) != Status::OK)
            return hc_error(Status::FAULT);
        if (!port_exists(req.port))
            return hc_error(Status::INVALID);
        if (v.in_local_hypercall && !evtchn_raise_is_local(d, req.port))
            return kHypercallNeedsExclusive;
        evtchn_unmask(d, req.port);
        return 0;
    }
    case xen::EVTCHNOP_bind_vcpu: {
        xen::evtchn_bind_vcpu req;
        if (read_arg(arg, req) != Status::OK)
            return hc_error(Status::FAULT);
        // The vCPU first, as Xen.
        if (req.vcpu >= d.nr_vcpus)
            return hc_error(Status::NOT_FOUND);
        if (!valid_port(d, req.port))
            return hc_error(Status::INVALID);
        // IPIs and per-vCPU VIRQs belong to their vCPU (Xen: -EINVAL).
        const EventPort& p = d.ports[req.port];
        if (p.state == PortState::IPI || (p.state == PortState::VIRQ && !virq_is_global(p.virq)))
            return hc_error(Status::INVALID);
        d.ports[req.port].vcpu = static_cast<uint8_t>(req.vcpu);
        return 0;
    }
    case xen::EVTCHNOP_reset: {
        xen::evtchn_reset req;
        if (read_arg(arg, req) != Status::OK)
            return hc_error(Status::FAULT);
        if (req.dom != xen::DOMID_SELF && req.dom != d.id)
            return hc_error(Status::PERMISSION);
        evtchn_close_all(d);
        return 0;
    }
    default:
        // init_control (FIFO ABI) and the rest: Linux falls back to 2-level.
        report_unsupported(d, xen::HYPERVISOR_event_channel_op, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo
