#include "hv/core/event_channel.hpp"
#include "hv/core/hot_path.hpp"

#include "abi/callback.hpp"
#include "abi/xen.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_events.hpp"

namespace vireo {
namespace {

xen::shared_info& shared(Domain& d)
{
    return *static_cast<xen::shared_info*>(map_machine_memory(d.shared_info_maddr));
}

xen::vcpu_info& info_of(Vcpu& v)
{
    return *static_cast<xen::vcpu_info*>(map_machine_memory(v.vcpu_info_maddr));
}

// The guest changes these words too (from its own vCPUs): every update is
// one atomic read-modify-write.
bool test_and_set(uint64_t* word, unsigned bit)
{
    uint64_t m = uint64_t{1} << bit;
    return __atomic_fetch_or(word, m, __ATOMIC_SEQ_CST) & m;
}

bool test(const uint64_t* word, unsigned bit) { return __atomic_load_n(word, __ATOMIC_SEQ_CST) & (uint64_t{1} << bit); }

VIREO_WARM void notify_vcpu(Vcpu& v, uint32_t port)
{
    xen::vcpu_info& vi = info_of(v);
    if (!test_and_set(&vi.evtchn_pending_sel, port / 64)) {
        __atomic_store_n(&vi.evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
        vcpu_wake(v);
        vcpu_kick_remote(v);
    }
}

}  // namespace

Result<uint32_t> evtchn_alloc_port(Domain& d)
{
    // A toolstack's domain may have a lower limit (max_evtchn_port).
    for (uint32_t p = 1; p < kMaxEventPorts && p <= d.max_evtchn_port; ++p) {
        if (d.ports[p].state == PortState::FREE) {
            d.ports[p] = EventPort{};
            d.ports[p].state = PortState::RESERVED;
            return p;
        }
    }
    return Status::NO_MEMORY;  // Xen answers -ENOSPC; the edge maps it
}

void evtchn_free_port(Domain& d, uint32_t port)
{
    if (!port || port >= kMaxEventPorts)
        return;
    d.ports[port] = EventPort{};
    // As Xen: a port handed out again must not arrive already pending.
    if (d.shared_info_maddr)
        __atomic_fetch_and(&shared(d).evtchn_pending[port / 64], ~(uint64_t{1} << (port % 64)), __ATOMIC_SEQ_CST);
}

VIREO_WARM void evtchn_set_pending(Domain& d, uint32_t port)
{
    if (!port || port >= kMaxEventPorts || d.state != DomainState::RUNNING)
        return;
    xen::shared_info& s = shared(d);
    if (test_and_set(&s.evtchn_pending[port / 64], port % 64))
        return;  // already pending: the guest has yet to see it
    // A vCPU polling this port (SCHEDOP_poll) wakes even if it is masked.
    for (unsigned i = 0; i < d.nr_vcpus; ++i)
        if (d.vcpus[i].polling && (d.vcpus[i].poll_port < 0 || d.vcpus[i].poll_port == static_cast<int32_t>(port)))
            vcpu_wake(d.vcpus[i]);
    if (test(&s.evtchn_mask[port / 64], port % 64))
        return;
    notify_vcpu(d.vcpus[d.ports[port].vcpu < d.nr_vcpus ? d.ports[port].vcpu : 0], port);
}

bool evtchn_raise_is_local(const Domain& d, uint32_t port)
{
    // Conservative: a vCPU polling any port, or the port's own vCPU
    // blocked, may have to wake.
    for (unsigned i = 0; i < d.nr_vcpus; ++i)
        if (d.vcpus[i].polling)
            return false;
    if (!port || port >= kMaxEventPorts)
        return true;  // nothing is raised
    const Vcpu& target = d.vcpus[d.ports[port].vcpu < d.nr_vcpus ? d.ports[port].vcpu : 0];
    return target.state != VcpuState::BLOCKED;
}

bool evtchn_is_pending(Domain& d, uint32_t port) { return test(&shared(d).evtchn_pending[port / 64], port % 64); }

void evtchn_unmask(Domain& d, uint32_t port)
{
    xen::shared_info& s = shared(d);
    uint64_t m = uint64_t{1} << (port % 64);
    __atomic_fetch_and(&s.evtchn_mask[port / 64], ~m, __ATOMIC_SEQ_CST);
    // A port that went pending while masked is delivered now.
    if (test(&s.evtchn_pending[port / 64], port % 64))
        notify_vcpu(d.vcpus[d.ports[port].vcpu < d.nr_vcpus ? d.ports[port].vcpu : 0], port);
}

void send_virq(Vcpu& v, uint32_t virq)
{
    if (virq < kNrVirqs && v.virq_port[virq])
        evtchn_set_pending(*v.domain, v.virq_port[virq]);
}

Status evtchn_close(Domain& d, uint32_t port)
{
    if (!port || port >= kMaxEventPorts || d.ports[port].state == PortState::FREE)
        return Status::INVALID;
    EventPort& p = d.ports[port];
    switch (p.state) {
    case PortState::VIRQ:
        // A global VIRQ's port may have moved to another vCPU (bind_vcpu):
        // drop the binding wherever it is recorded.
        for (Vcpu& v : d.vcpus)
            if (p.virq < kNrVirqs && v.virq_port[p.virq] == port)
                v.virq_port[p.virq] = 0;
        break;
    case PortState::INTERDOMAIN: {
        // The peer's end goes back to waiting for a partner.
        Domain* peer = domain_lookup(p.remote_dom);
        if (peer && p.remote_port < kMaxEventPorts && peer->ports[p.remote_port].state == PortState::INTERDOMAIN &&
            peer->ports[p.remote_port].remote_port == port && peer->ports[p.remote_port].remote_dom == d.id) {
            peer->ports[p.remote_port].state = PortState::UNBOUND;
            peer->ports[p.remote_port].remote_dom = d.id;
        }
        break;
    }
    case PortState::PIRQ:
        pirq_unbind_port(d, port);
        break;
    default:
        break;
    }
    evtchn_free_port(d, port);
    return Status::OK;
}

void evtchn_close_all(Domain& d)
{
    for (uint32_t p = 1; p < kMaxEventPorts; ++p)
        if (d.ports[p].state != PortState::FREE)
            (void)evtchn_close(d, p);
}

bool vcpu_events_pending(Vcpu& v) { return __atomic_load_n(&info_of(v).evtchn_upcall_pending, __ATOMIC_SEQ_CST); }

namespace {

// Inlined into the exit path's callers: under TCG a call and its return
// are two more translation-block lookups on every guest entry.
inline bool due(Vcpu& v)
{
    xen::vcpu_info& vi = info_of(v);
    return vi.evtchn_upcall_pending && !vi.evtchn_upcall_mask && v.callbacks.address[xen::CALLBACKTYPE_event];
}

}  // namespace

VIREO_HOT bool upcall_due(Vcpu& v) { return due(v); }

VIREO_HOT void deliver_pending_events(Vcpu& v, GuestRegs& regs)
{
    if (!due(v))
        return;
    // Like an interrupt: events stay masked until the guest unmasks them.
    (void)bounce_to_guest(v, regs, Bounce{v.callbacks.address[xen::CALLBACKTYPE_event], false, 0, true});
}

}  // namespace vireo
