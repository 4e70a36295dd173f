#include "hv/core/guest_console.hpp"

#include "abi/console.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

xen::xencons_interface& ring_of(Domain& d)
{
    return *static_cast<xen::xencons_interface*>(map_machine_memory(d.console_ring_maddr));
}

void flush_line(Domain& d)
{
    log(LogLevel::INFO, "(%s) %.*s\n", d.name, static_cast<int>(d.console_line_len), d.console_line);
    d.console_line_len = 0;
}

void notify(Domain& d)
{
    uint32_t port = d.console_port;
    if (port && port < kMaxEventPorts && d.ports[port].state == PortState::INTERDOMAIN &&
        d.ports[port].remote_dom == kConsoleBackendDomain)
        evtchn_set_pending(d, port);
}

}  // namespace

void guest_console_attach(Domain& d, uint64_t ring_maddr, uint32_t port)
{
    d.console_ring_maddr = ring_maddr;
    d.console_port = port;
}

bool guest_console_has_ring(const Domain& d) { return d.console_ring_maddr != 0; }

void guest_console_write(Domain& d, const char* s, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        char c = s[i];
        if (c == '\n') {
            flush_line(d);
            continue;
        }
        if (c == '\r')
            continue;
        d.console_line[d.console_line_len++] = c;
        if (d.console_line_len == sizeof d.console_line)
            flush_line(d);  // a very long line is cut, not lost
    }
}

void guest_console_kick(Domain& d)
{
    if (!d.console_ring_maddr || d.state != DomainState::RUNNING)
        return;
    xen::xencons_interface& r = ring_of(d);
    uint32_t cons = __atomic_load_n(&r.out_cons, __ATOMIC_RELAXED);
    uint32_t prod = __atomic_load_n(&r.out_prod, __ATOMIC_ACQUIRE);
    if (prod == cons)
        return;
    if (prod - cons > sizeof r.out) {
        // Nonsense from the guest: drop what it claims and go on.
        __atomic_store_n(&r.out_cons, prod, __ATOMIC_RELEASE);
        notify(d);
        return;
    }
    char buf[sizeof r.out];
    uint32_t n = 0;
    for (; cons != prod; ++cons)
        buf[n++] = r.out[cons & (sizeof r.out - 1)];
    __atomic_store_n(&r.out_cons, cons, __ATOMIC_RELEASE);
    guest_console_write(d, buf, n);
    notify(d);  // the guest may be waiting for room
}

void guest_console_poll()
{
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (d->state == DomainState::RUNNING && d->console_ring_maddr)
            guest_console_kick(*d);
    }
}

void guest_console_input(Domain& d, char c)
{
    if (!d.console_ring_maddr || d.state != DomainState::RUNNING)
        return;
    xen::xencons_interface& r = ring_of(d);
    uint32_t cons = __atomic_load_n(&r.in_cons, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(&r.in_prod, __ATOMIC_RELAXED);
    if (prod - cons >= sizeof r.in)
        return;  // full (or nonsense): the character is dropped, as a UART would
    r.in[prod & (sizeof r.in - 1)] = c;
    __atomic_store_n(&r.in_prod, prod + 1, __ATOMIC_RELEASE);
    notify(d);
}

}  // namespace vireo
