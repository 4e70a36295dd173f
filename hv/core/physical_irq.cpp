#include "hv/core/physical_irq.hpp"

#include "abi/physdev.hpp"
#include "abi/xen.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/log.hpp"
#include "hv/core/pci_msi.hpp"
#include "hv/core/platform.hpp"
#include "lib/format.hpp"

namespace vireo {
namespace {

// One interrupt source: a line of the machine (by GSI) or an MSI vector of
// a device. A source has at most one owner, the domain that mapped it (Xen
// shares lines between domains only for passthrough, which Vireo does not
// do).
struct IrqSource {
    bool exists = false;       // lines: found in the firmware's tables
    bool reserved = false;     // the hypervisor's own
    bool msi = false;
    bool level = false;
    bool active_low = false;
    bool awaiting_eoi = false; // a level line masked since it fired
    uint16_t owner = xen::DOMID_INVALID;
    uint16_t pirq = 0;
    MsiTarget target;          // msi: where it is programmed
};

IrqSource g_sources[kMaxIrqSources];
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
void default_mode(int32_t irq, IrqSource& s)
{
    if (irq >= 0 && irq < 16) {
        uint16_t f = g_setup.isa_flags[irq];
        s.active_low = (f & 3) == 3;
        s.level = ((f >> 2) & 3) == 3;
    } else {
        s.level = true;
        s.active_low = true;
    }
}

// Routes a source to the hypervisor, masked (MSI: done when mapped).
void route(unsigned source)
{
    const Platform& p = platform();
    if (!g_sources[source].msi && p.irq_line_program)
        p.irq_line_program(source, g_sources[source].level, g_sources[source].active_low);
}

void mask(unsigned source, bool masked)
{
    const IrqSource& s = g_sources[source];
    if (s.msi) {
        msi_set_mask(s.target, source - kMaxIrqLines, masked);
        return;
    }
    const Platform& p = platform();
    if (p.irq_line_mask)
        p.irq_line_mask(source, masked);
}

bool pirq_in_range(int32_t pirq) { return pirq >= 0 && pirq < static_cast<int32_t>(kMaxPirqs); }

// The source d mapped as pirq, or -1.
int mapped_source(const Domain& d, int32_t pirq)
{
    if (!pirq_in_range(pirq) || !d.pirq_source[pirq])
        return -1;
    return d.pirq_source[pirq] - 1;
}

// A free pirq for a new mapping: `wanted` if given and free; else, as Xen
// numbers them for dom0, a line's own IRQ number when free and MSIs from
// the top down.
Result<uint32_t> choose_pirq(const Domain& d, int32_t wanted, int32_t natural, bool from_top)
{
    if (wanted >= 0) {
        if (!pirq_in_range(wanted))
            return Status::INVALID;
        if (d.pirq_source[wanted])
            return Status::EXISTS;  // that pirq already names another source
        return static_cast<uint32_t>(wanted);
    }
    if (natural >= 0 && pirq_in_range(natural) && !d.pirq_source[natural])
        return static_cast<uint32_t>(natural);
    for (uint32_t i = 16; i < kMaxPirqs; ++i) {
        uint32_t p = from_top ? kMaxPirqs - 1 - (i - 16) : i;
        if (!d.pirq_source[p])
            return p;
    }
    return Status::NO_MEMORY;
}

void record(Domain& d, unsigned source, uint32_t pirq)
{
    g_sources[source].owner = d.id;
    g_sources[source].pirq = static_cast<uint16_t>(pirq);
    g_sources[source].awaiting_eoi = false;
    d.pirq_source[pirq] = static_cast<uint8_t>(source + 1);
    d.pirq_port[pirq] = 0;
}

}  // namespace

void irq_lines_init(const IrqLineSetup& setup)
{
    g_setup = setup;
    g_nr_lines = setup.nr_lines < kMaxIrqLines ? setup.nr_lines : kMaxIrqLines;
    for (unsigned i = 0; i < kMaxIrqSources; ++i) {
        g_sources[i] = IrqSource{};
        g_sources[i].exists = i < g_nr_lines;
        g_sources[i].reserved = i < kMaxIrqLines && (setup.reserved_lines >> i) & 1;
    }
}

unsigned irq_lines_count() { return g_nr_lines; }

Result<uint32_t> pirq_map_gsi(Domain& d, int32_t index, int32_t pirq)
{
    int line = line_of_irq(index);
    if (line < 0 || (pirq >= 0 && !pirq_in_range(pirq)))
        return Status::INVALID;
    IrqSource& s = g_sources[line];
    if (s.reserved)
        return Status::PERMISSION;  // as Xen: the domain has no access to its console's IRQ
    if (s.owner == d.id) {
        // Mapping it again under the same pirq is harmless; under another
        // one it would give one line two names.
        if (pirq < 0 || static_cast<uint32_t>(pirq) == s.pirq)
            return uint32_t{s.pirq};
        return Status::EXISTS;
    }
    if (s.owner != xen::DOMID_INVALID)
        return Status::BUSY;
    Result<uint32_t> chosen = choose_pirq(d, pirq, index, false);
    if (!chosen.ok())
        return chosen;
    default_mode(index, s);
    record(d, static_cast<unsigned>(line), chosen.value());
    return chosen;
}

Result<uint32_t> pirq_map_msi(Domain& d, uint32_t seg_bus, uint32_t devfn, uint32_t entry_nr, uint64_t table_base,
                              int32_t pirq)
{
    if (pirq >= 0 && !pirq_in_range(pirq))
        return Status::INVALID;
    Result<MsiTarget> target = msi_locate(seg_bus, devfn, entry_nr, table_base);
    if (!target.ok())
        return target.status();
    const MsiTarget& t = target.value();
    // A device dom0 never announced (pci_device_add): its table is
    // protected from here on.
    if (t.msix && msix_protect(seg_bus, devfn) == Status::NO_MEMORY)
        return Status::NO_MEMORY;
    unsigned free_source = 0;
    for (unsigned src = kMaxIrqLines; src < kMaxIrqSources; ++src) {
        const IrqSource& s = g_sources[src];
        if (s.owner == xen::DOMID_INVALID) {
            if (!free_source)
                free_source = src;
        } else if (s.target.cf8 == t.cf8 && s.target.msix == t.msix && s.target.entry_paddr == t.entry_paddr) {
            // The same vector of the same device: one name for it.
            if (s.owner != d.id)
                return Status::BUSY;
            if (pirq < 0 || static_cast<uint32_t>(pirq) == s.pirq)
                return uint32_t{s.pirq};
            return Status::EXISTS;
        }
    }
    if (!free_source)
        return Status::NO_MEMORY;
    Result<uint32_t> chosen = choose_pirq(d, pirq, -1, true);
    if (!chosen.ok())
        return chosen;
    IrqSource& s = g_sources[free_source];
    s.msi = true;
    s.level = false;
    s.active_low = false;
    s.target = t;
    msi_program(t, free_source - kMaxIrqLines);
    record(d, free_source, chosen.value());
    return chosen;
}

Status pirq_unmap(Domain& d, int32_t pirq)
{
    int source = mapped_source(d, pirq);
    if (source < 0)
        return Status::INVALID;
    mask(static_cast<unsigned>(source), true);
    // A port still bound stays a PIRQ port, now of no source: it never fires.
    if (uint16_t port = d.pirq_port[pirq])
        d.ports[port].pirq = 0;
    IrqSource& s = g_sources[source];
    s.owner = xen::DOMID_INVALID;
    s.awaiting_eoi = false;
    if (s.msi)
        s = IrqSource{};
    d.pirq_source[pirq] = 0;
    d.pirq_port[pirq] = 0;
    return Status::OK;
}

Status irq_line_configure(Domain& d, int32_t gsi, bool level, bool active_low)
{
    if (gsi < 0 || gsi >= static_cast<int32_t>(g_nr_lines))
        return Status::INVALID;
    IrqSource& s = g_sources[gsi];
    if (s.reserved)
        return Status::PERMISSION;
    if (s.owner != xen::DOMID_INVALID && s.owner != d.id)
        return Status::BUSY;
    s.level = level;
    s.active_low = active_low;
    // A line already in use takes the new mode now (still masked if it
    // waits for its EOI).
    if (s.owner == d.id && d.pirq_port[s.pirq]) {
        route(static_cast<unsigned>(gsi));
        if (!s.awaiting_eoi)
            mask(static_cast<unsigned>(gsi), false);
    }
    return Status::OK;
}

Result<uint32_t> pirq_bind(Domain& d, uint32_t pirq)
{
    int source = mapped_source(d, static_cast<int32_t>(pirq));
    if (source < 0)
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
    g_sources[source].awaiting_eoi = false;
    route(static_cast<unsigned>(source));
    mask(static_cast<unsigned>(source), false);
    return port;
}

void pirq_unbind_port(Domain& d, uint32_t port)
{
    if (port >= kMaxEventPorts || d.ports[port].state != PortState::PIRQ)
        return;
    uint16_t pirq = d.ports[port].pirq;
    int source = mapped_source(d, pirq);
    if (source < 0 || d.pirq_port[pirq] != port)
        return;
    mask(static_cast<unsigned>(source), true);
    g_sources[source].awaiting_eoi = false;
    d.pirq_port[pirq] = 0;
}

Status pirq_eoi(Domain& d, int32_t pirq)
{
    if (!pirq_in_range(pirq))
        return Status::INVALID;
    int source = mapped_source(d, pirq);
    if (source < 0)
        return Status::OK;  // nothing in flight: as Xen, not an error
    IrqSource& s = g_sources[source];
    if (s.awaiting_eoi && d.pirq_port[pirq]) {
        s.awaiting_eoi = false;
        mask(static_cast<unsigned>(source), false);
    }
    return Status::OK;
}

Result<uint32_t> pirq_status(Domain& d, int32_t pirq)
{
    if (!pirq_in_range(pirq))
        return Status::INVALID;
    int source = mapped_source(d, pirq);
    return source >= 0 && g_sources[source].level ? xen::XENIRQSTAT_needs_eoi : 0u;
}

void pirq_release_all(Domain& d)
{
    for (uint32_t p = 0; p < kMaxPirqs; ++p)
        if (d.pirq_source[p])
            (void)pirq_unmap(d, static_cast<int32_t>(p));
}

void dump_irq_sources()
{
    log(LogLevel::ERROR, "'i' pressed: physical interrupts (%u I/O APIC lines)\n", g_nr_lines);
    for (unsigned i = 0; i < kMaxIrqSources; ++i) {
        const IrqSource& s = g_sources[i];
        if (s.owner == xen::DOMID_INVALID)
            continue;
        const Domain* d = domain_lookup(s.owner);
        uint16_t port = d ? d->pirq_port[s.pirq] : 0;
        char what[24];
        if (s.msi)
            format_to(what, sizeof what, "MSI%s %02x:%02x.%u", s.target.msix ? "-X" : "", (s.target.cf8 >> 16) & 0xff,
                      (s.target.cf8 >> 11) & 0x1f, (s.target.cf8 >> 8) & 7);
        else
            format_to(what, sizeof what, "GSI %u", i);
        log(LogLevel::ERROR, "  %-16s d%u pirq %3u port %4u %s%s\n", what, s.owner, s.pirq, port,
            s.level ? "level" : "edge", s.awaiting_eoi ? ", masked until EOI" : "");
    }
}

void irq_source_fired(unsigned source)
{
    if (source >= kMaxIrqSources)
        return;
    IrqSource& s = g_sources[source];
    Domain* d = s.owner != xen::DOMID_INVALID ? domain_lookup(s.owner) : nullptr;
    uint16_t port = d ? d->pirq_port[s.pirq] : 0;
    if (!port) {
        // Nobody listens: keep it quiet until someone binds it.
        if (s.exists || s.msi)
            mask(source, true);
        return;
    }
    if (s.level) {
        // Masked before the local APIC's EOI, so the still-asserted line
        // does not interrupt again until the domain has serviced it.
        mask(source, true);
        s.awaiting_eoi = true;
    }
    evtchn_set_pending(*d, port);
}

}  // namespace vireo
