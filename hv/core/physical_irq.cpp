#include "hv/core/physical_irq.hpp"

#include "abi/physdev.hpp"
#include "abi/xen.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr unsigned kMaxLines = 64;  // GSIs tracked; QEMU's IO-APIC has 24

// One interrupt line of the machine, by GSI. A line has at most one owner:
// the domain that mapped it (Xen shares lines between domains only for
// passthrough, which Vireo does not do).
struct IrqLine {
    bool exists = false;
    bool reserved = false;     // the hypervisor's own
    bool level = false;
    bool active_low = false;
    bool awaiting_eoi = false; // a level line masked since it fired
    uint16_t owner = xen::DOMID_INVALID;
    uint16_t pirq = 0;
};

IrqLine g_lines[kMaxLines];
unsigned g_nr_lines = 0;
IrqLineSetup g_setup;

// The line an IRQ number names: ISA IRQs through the overrides, GSIs as
// themselves (Xen's IRQ numbering for dom0).
int line_of_irq(int32_t irq)
{
    if (irq < 0)
        return -1;
    int line = irq < 16 ? g_setup.isa_line[irq] : irq;
    return line < static_cast<int>(g_nr_lines) ? line : -1;
}

// The trigger mode and polarity a line starts with: an ISA IRQ's per its
// override's INTI flags (bits 0-1 polarity, 2-3 trigger; 0 means the ISA
// bus default, edge and active high), any other GSI as PCI's (level, low).
void default_mode(unsigned line, int32_t irq, IrqLine& l)
{
    if (irq >= 0 && irq < 16) {
        uint16_t f = g_setup.isa_flags[irq];
        l.active_low = (f & 3) == 3;
        l.level = ((f >> 2) & 3) == 3;
    } else {
        l.level = true;
        l.active_low = true;
    }
    (void)line;
}

void program(unsigned line)
{
    const Platform& p = platform();
    if (p.irq_line_program)
        p.irq_line_program(line, g_lines[line].level, g_lines[line].active_low);
}

void mask(unsigned line, bool masked)
{
    const Platform& p = platform();
    if (p.irq_line_mask)
        p.irq_line_mask(line, masked);
}

bool pirq_in_range(int32_t pirq) { return pirq >= 0 && pirq < static_cast<int32_t>(kMaxPirqs); }

// The line d mapped as pirq, or -1.
int mapped_line(const Domain& d, int32_t pirq)
{
    if (!pirq_in_range(pirq) || !d.pirq_line[pirq])
        return -1;
    return d.pirq_line[pirq] - 1;
}

}  // namespace

void irq_lines_init(const IrqLineSetup& setup)
{
    g_setup = setup;
    g_nr_lines = setup.nr_lines < kMaxLines ? setup.nr_lines : kMaxLines;
    for (unsigned i = 0; i < kMaxLines; ++i) {
        g_lines[i] = IrqLine{};
        g_lines[i].exists = i < g_nr_lines;
        g_lines[i].reserved = i < 64 && (setup.reserved_lines >> i) & 1;
    }
}

unsigned irq_lines_count() { return g_nr_lines; }

Result<uint32_t> pirq_map_gsi(Domain& d, int32_t index, int32_t pirq)
{
    int line = line_of_irq(index);
    if (line < 0 || (pirq >= 0 && !pirq_in_range(pirq)))
        return Status::INVALID;
    IrqLine& l = g_lines[line];
    if (l.reserved)
        return Status::PERMISSION;  // as Xen: the domain has no access to its console's IRQ
    if (l.owner == d.id) {
        // Mapping it again under the same pirq is harmless; under another
        // one it would give one line two names.
        if (pirq < 0 || static_cast<uint32_t>(pirq) == l.pirq)
            return uint32_t{l.pirq};
        return Status::EXISTS;
    }
    if (l.owner != xen::DOMID_INVALID)
        return Status::BUSY;
    if (pirq < 0) {
        // Xen's choice for dom0: the IRQ number itself if free, else the
        // lowest free number above the legacy range.
        pirq = index < static_cast<int32_t>(kMaxPirqs) && !d.pirq_line[index] ? index : -1;
        for (uint32_t p = 16; pirq < 0 && p < kMaxPirqs; ++p)
            if (!d.pirq_line[p])
                pirq = static_cast<int32_t>(p);
        if (pirq < 0)
            return Status::NO_MEMORY;
    } else if (d.pirq_line[pirq]) {
        return Status::EXISTS;  // that pirq already names another line
    }
    l.owner = d.id;
    l.pirq = static_cast<uint16_t>(pirq);
    l.awaiting_eoi = false;
    default_mode(static_cast<unsigned>(line), index, l);
    d.pirq_line[pirq] = static_cast<uint8_t>(line + 1);
    d.pirq_port[pirq] = 0;
    return static_cast<uint32_t>(pirq);
}

Status pirq_unmap(Domain& d, int32_t pirq)
{
    int line = mapped_line(d, pirq);
    if (line < 0)
        return Status::INVALID;
    mask(static_cast<unsigned>(line), true);
    // A port still bound stays a PIRQ port, now of no line: it never fires.
    if (uint16_t port = d.pirq_port[pirq])
        d.ports[port].pirq = 0;
    g_lines[line].owner = xen::DOMID_INVALID;
    g_lines[line].awaiting_eoi = false;
    d.pirq_line[pirq] = 0;
    d.pirq_port[pirq] = 0;
    return Status::OK;
}

Status irq_line_configure(Domain& d, int32_t gsi, bool level, bool active_low)
{
    if (gsi < 0 || gsi >= static_cast<int32_t>(g_nr_lines))
        return Status::INVALID;
    IrqLine& l = g_lines[gsi];
    if (l.reserved)
        return Status::PERMISSION;
    if (l.owner != xen::DOMID_INVALID && l.owner != d.id)
        return Status::BUSY;
    l.level = level;
    l.active_low = active_low;
    // A line already in use takes the new mode now (still masked if it
    // waits for its EOI).
    if (l.owner == d.id && d.pirq_port[l.pirq]) {
        program(static_cast<unsigned>(gsi));
        if (!l.awaiting_eoi)
            mask(static_cast<unsigned>(gsi), false);
    }
    return Status::OK;
}

Result<uint32_t> pirq_bind(Domain& d, uint32_t pirq)
{
    int line = mapped_line(d, static_cast<int32_t>(pirq));
    if (line < 0)
        return Status::INVALID;
    if (d.pirq_port[pirq])
        return Status::EXISTS;
    Result<uint32_t> port = evtchn_alloc_port(d);
    if (!port.ok())
        return port;
    EventPort& ep = d.ports[port.value()];
    ep.state = PortState::PIRQ;
    ep.pirq = static_cast<uint16_t>(pirq);
    d.pirq_port[pirq] = static_cast<uint16_t>(port.value());
    g_lines[line].awaiting_eoi = false;
    program(static_cast<unsigned>(line));
    mask(static_cast<unsigned>(line), false);
    return port;
}

void pirq_unbind_port(Domain& d, uint32_t port)
{
    if (port >= kMaxEventPorts || d.ports[port].state != PortState::PIRQ)
        return;
    uint16_t pirq = d.ports[port].pirq;
    int line = mapped_line(d, pirq);
    if (line < 0 || d.pirq_port[pirq] != port)
        return;
    mask(static_cast<unsigned>(line), true);
    g_lines[line].awaiting_eoi = false;
    d.pirq_port[pirq] = 0;
}

Status pirq_eoi(Domain& d, int32_t pirq)
{
    if (!pirq_in_range(pirq))
        return Status::INVALID;
    int line = mapped_line(d, pirq);
    if (line < 0)
        return Status::OK;  // nothing in flight: as Xen, not an error
    IrqLine& l = g_lines[line];
    if (l.awaiting_eoi && d.pirq_port[pirq]) {
        l.awaiting_eoi = false;
        mask(static_cast<unsigned>(line), false);
    }
    return Status::OK;
}

Result<uint32_t> pirq_status(Domain& d, int32_t pirq)
{
    if (!pirq_in_range(pirq))
        return Status::INVALID;
    int line = mapped_line(d, pirq);
    return line >= 0 && g_lines[line].level ? xen::XENIRQSTAT_needs_eoi : 0u;
}

void pirq_release_all(Domain& d)
{
    for (uint32_t p = 0; p < kMaxPirqs; ++p)
        if (d.pirq_line[p])
            (void)pirq_unmap(d, static_cast<int32_t>(p));
}

void irq_line_fired(unsigned gsi)
{
    if (gsi >= g_nr_lines)
        return;
    IrqLine& l = g_lines[gsi];
    Domain* d = l.owner != xen::DOMID_INVALID ? domain_lookup(l.owner) : nullptr;
    uint16_t port = d ? d->pirq_port[l.pirq] : 0;
    if (!port) {
        // Nobody listens: keep it quiet until someone binds it.
        mask(gsi, true);
        return;
    }
    if (l.level) {
        // Masked before the local APIC's EOI, so the still-asserted line
        // does not interrupt again until the domain has serviced it.
        mask(gsi, true);
        l.awaiting_eoi = true;
    }
    evtchn_set_pending(*d, port);
}

}  // namespace vireo
