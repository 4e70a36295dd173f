// Physical interrupts for the hardware domain, as Xen gives them to a PV
// dom0. Each interrupt line of the machine (an IO-APIC input, named by its
// GSI; ISA IRQs 0-15 reach theirs through the firmware's overrides) can be
// mapped by a privileged domain to a "pirq" number and bound to an event
// channel. When the line fires, the arch acknowledges the local APIC and
// the core raises the event. A level-triggered line stays masked until the
// domain reports the device serviced (PHYSDEVOP_eoi), so a device the
// domain is slow to quiet cannot storm the CPU; an edge line needs no EOI.
// Message-signalled interrupts (pci_msi.hpp) are interrupt sources too,
// numbered after the lines; they behave as edge lines.
#pragma once

#include <stdint.h>

#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

// Interrupt sources: GSIs 0-63, then MSI vectors. The arch gives each its
// own vector.
inline constexpr unsigned kMaxIrqLines = 64;
inline constexpr unsigned kMaxMsiSources = 96;
inline constexpr unsigned kMaxIrqSources = kMaxIrqLines + kMaxMsiSources;

// What the arch found in the firmware's tables (ACPI MADT).
struct IrqLineSetup {
    unsigned nr_lines = 0;           // GSIs 0 .. nr_lines-1 exist
    uint8_t isa_line[16] = {};       // ISA IRQ -> GSI (identity unless overridden)
    uint16_t isa_flags[16] = {};     // the override's MPS INTI flags (0: ISA default)
    uint64_t reserved_lines = 0;     // the hypervisor's own lines (bit per GSI)
};
void irq_lines_init(const IrqLineSetup& setup);
unsigned irq_lines_count();

// physdev_op and event_channel_op, for domain d. The callers check that d
// is privileged where Xen does.
// PHYSDEVOP_map_pirq, GSI type: index is an IRQ (0-15: ISA) or a GSI;
// pirq < 0 lets Vireo choose. Returns the pirq mapped.
Result<uint32_t> pirq_map_gsi(Domain& d, int32_t index, int32_t pirq);
// PHYSDEVOP_map_pirq, MSI types: the device (segment << 16 | bus, devfn)
// and, for MSI-X, the table entry and the BAR address holding the table.
Result<uint32_t> pirq_map_msi(Domain& d, uint32_t seg_bus, uint32_t devfn, uint32_t entry_nr, uint64_t table_base,
                              int32_t pirq);
Status pirq_unmap(Domain& d, int32_t pirq);
// PHYSDEVOP_setup_gsi: the line's trigger mode and polarity.
Status irq_line_configure(Domain& d, int32_t gsi, bool level, bool active_low);
// EVTCHNOP_bind_pirq: a new port that the line raises; the line is unmasked.
Result<uint32_t> pirq_bind(Domain& d, uint32_t pirq);
// A PIRQ port is being closed: its line is masked again.
void pirq_unbind_port(Domain& d, uint32_t port);
// PHYSDEVOP_eoi: the domain serviced the device; a level line held masked
// since it fired is unmasked.
Status pirq_eoi(Domain& d, int32_t pirq);
// PHYSDEVOP_irq_status_query: XENIRQSTAT_* flags.
Result<uint32_t> pirq_status(Domain& d, int32_t pirq);
// Domain teardown: every line d mapped is masked and free again.
void pirq_release_all(Domain& d);

// Like Xen's 'i' debug key: every interrupt source in use, its owner,
// pirq, port and state.
void dump_irq_sources();

// The arch's interrupt handler, before it acknowledges the local APIC:
// interrupt source `source` (a GSI, or kMaxIrqLines + an MSI source) fired.
void irq_source_fired(unsigned source);

}  // namespace vireo
