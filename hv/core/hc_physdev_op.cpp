// physdev_op: a domain's access to physical devices. The virtual I/O
// privilege level (what lets the guest kernel's in/out be emulated rather
// than fault), and for the hardware domain its devices' interrupts
// (physical_irq.hpp), IO-APIC reads and the PCI device notices Linux sends.
#include "abi/physdev.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/log.hpp"
#include "hv/core/pci_msi.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

template <typename T>
Status read_arg(uint64_t va, T& out)
{
    return platform().copy_from_guest(&out, va, sizeof out);
}

template <typename T>
HypercallResult write_back(uint64_t va, const T& in)
{
    return platform().copy_to_guest(va, &in, sizeof in) == Status::OK ? 0 : hc_error(Status::FAULT);
}

HypercallResult result_of(Status s) { return s == Status::OK ? 0 : hc_error(s); }

// A request only a privileged domain may make: read first (a bad pointer
// is -EFAULT whoever asks), then the privilege.
template <typename T>
Status read_privileged(const Domain& d, uint64_t va, T& out)
{
    if (read_arg(va, out) != Status::OK)
        return Status::FAULT;
    return d.privileged ? Status::OK : Status::PERMISSION;
}

// The domain a request names must be the caller: Vireo gives no device
// to another (no passthrough).
Status names_self(const Domain& d, uint16_t domid)
{
    if (domid == xen::DOMID_SELF || domid == d.id)
        return Status::OK;
    return domain_lookup(domid) ? Status::PERMISSION : Status::NO_DOMAIN;
}

HypercallResult map_pirq(Domain& d, uint64_t arg)
{
    xen::physdev_map_pirq req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    if (Status s = names_self(d, req.domid); s != Status::OK)
        return hc_error(s);
    if (req.type == xen::MAP_PIRQ_TYPE_MSI || req.type == xen::MAP_PIRQ_TYPE_MSI_SEG) {
        // MSI_SEG carries the PCI segment in the bus number's top half.
        uint32_t seg_bus = req.type == xen::MAP_PIRQ_TYPE_MSI ? (static_cast<uint32_t>(req.bus) & 0xff)
                                                               : static_cast<uint32_t>(req.bus);
        if (req.bus < 0 || req.devfn < 0 || req.entry_nr < 0)
            return hc_error(Status::INVALID);
        Result<uint32_t> pirq = pirq_map_msi(d, seg_bus, static_cast<uint32_t>(req.devfn),
                                             static_cast<uint32_t>(req.entry_nr), req.table_base, req.pirq);
        if (!pirq.ok())
            return hc_error(pirq.status());
        req.pirq = static_cast<int32_t>(pirq.value());
        return write_back(arg, req);
    }
    if (req.type != xen::MAP_PIRQ_TYPE_GSI)
        return hc_error(Status::INVALID);  // multi-message MSI: Linux falls back to one vector
    Result<uint32_t> pirq = pirq_map_gsi(d, req.index, req.pirq);
    if (!pirq.ok())
        return hc_error(pirq.status());
    req.pirq = static_cast<int32_t>(pirq.value());
    return write_back(arg, req);
}

HypercallResult unmap_pirq(Domain& d, uint64_t arg)
{
    xen::physdev_unmap_pirq req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    if (Status s = names_self(d, req.domid); s != Status::OK)
        return hc_error(s);
    return result_of(pirq_unmap(d, req.pirq));
}

HypercallResult setup_gsi(Domain& d, uint64_t arg)
{
    xen::physdev_setup_gsi req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    if (req.triggering > 1 || req.polarity > 1)
        return hc_error(Status::INVALID);
    return result_of(irq_line_configure(d, req.gsi, req.triggering == 1, req.polarity == 1));
}

HypercallResult irq_status_query(Domain& d, uint64_t arg)
{
    xen::physdev_irq_status_query req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    Result<uint32_t> flags = pirq_status(d, static_cast<int32_t>(req.irq));
    if (!flags.ok())
        return hc_error(flags.status());
    req.flags = flags.value();
    return write_back(arg, req);
}

HypercallResult eoi(Domain& d, uint64_t arg)
{
    xen::physdev_eoi req;
    if (read_arg(arg, req) != Status::OK)
        return hc_error(Status::FAULT);
    return result_of(pirq_eoi(d, static_cast<int32_t>(req.irq)));
}

// PHYSDEVOP_alloc_irq_vector: Linux in dom0 asks for a vector for every
// line it binds and gives up on the line if refused. Vectors are the
// hypervisor's business (ioapic.cpp picks them), so as on Xen the answer
// is the IRQ number itself, which dom0 never uses as a vector.
HypercallResult alloc_irq_vector(Domain& d, uint64_t arg)
{
    xen::physdev_irq req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    if (req.irq >= irq_lines_count() && req.irq >= 16)
        return hc_error(Status::INVALID);
    req.vector = req.irq;
    return write_back(arg, req);
}

// The IO-APIC's registers, read for dom0 (Linux reads their ids and
// versions while it parses the MADT); the hypervisor owns the routing, so
// writes are refused.
HypercallResult apic_read(Domain& d, uint64_t arg)
{
    xen::physdev_apic req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    const Platform& p = platform();
    if (!p.ioapic_read || !p.ioapic_read(req.apic_physbase, req.reg, &req.value))
        return hc_error(Status::INVALID);
    return write_back(arg, req);
}

// Notices of the PCI devices dom0 found, removed (and the MMCONFIG areas):
// Xen records them for MSI and IOMMU set-up. Vireo has no IOMMU: removals
// and MMCONFIG areas are checked and acknowledged.
template <typename T>
HypercallResult pci_notice(Domain& d, uint64_t arg)
{
    T req;
    return result_of(read_privileged(d, arg, req));
}

// A device found (PHYSDEVOP_pci_device_add, manage_pci_add): acknowledged
// as above, and its MSI-X table and pending bits become read-only for dom0
// (pci_msi.hpp) before its driver maps them.
void protect_msix(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    if (msix_protect((uint32_t{seg} << 16) | bus, devfn) == Status::NO_MEMORY)
        VLOG_WARN("%04x:%02x:%02x.%u: no room to make its MSI-X table read-only: dom0 can write it\n", seg, bus,
                  devfn >> 3, devfn & 7);
}

HypercallResult pci_device_add(Domain& d, uint64_t arg)
{
    xen::physdev_pci_device_add req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    protect_msix(req.seg, req.bus, req.devfn);
    return 0;
}

HypercallResult manage_pci_add(Domain& d, uint64_t arg)
{
    xen::physdev_manage_pci req;
    if (Status s = read_privileged(d, arg, req); s != Status::OK)
        return hc_error(s);
    protect_msix(0, req.bus, req.devfn);
    return 0;
}

}  // namespace

HypercallResult do_physdev_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t cmd = args.a[0], arg = args.a[1];
    switch (cmd) {
    case xen::PHYSDEVOP_set_iopl: {
        xen::physdev_set_iopl req;
        if (platform().copy_from_guest(&req, arg, sizeof req) != Status::OK)
            return hc_error(Status::FAULT);
        if (req.iopl > 3)
            return hc_error(Status::INVALID);
        v.virtual_iopl = static_cast<uint8_t>(req.iopl);
        return 0;
    }
    case xen::PHYSDEVOP_map_pirq: return map_pirq(d, arg);
    case xen::PHYSDEVOP_unmap_pirq: return unmap_pirq(d, arg);
    case xen::PHYSDEVOP_setup_gsi: return setup_gsi(d, arg);
    case xen::PHYSDEVOP_irq_status_query: return irq_status_query(d, arg);
    case xen::PHYSDEVOP_eoi: return eoi(d, arg);
    case xen::PHYSDEVOP_apic_read: return apic_read(d, arg);
    case xen::PHYSDEVOP_alloc_irq_vector: return alloc_irq_vector(d, arg);
    case xen::PHYSDEVOP_pci_device_add: return pci_device_add(d, arg);
    case xen::PHYSDEVOP_pci_device_remove: return pci_notice<xen::physdev_pci_device>(d, arg);
    case xen::PHYSDEVOP_manage_pci_add: return manage_pci_add(d, arg);
    case xen::PHYSDEVOP_manage_pci_remove: return pci_notice<xen::physdev_manage_pci>(d, arg);
    case xen::PHYSDEVOP_pci_mmcfg_reserved: return pci_notice<xen::physdev_pci_mmcfg_reserved>(d, arg);
    default:
        report_unsupported(d, xen::HYPERVISOR_physdev_op, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo
