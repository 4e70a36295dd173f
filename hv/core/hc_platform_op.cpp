// platform_op: the hardware domain asks about, or acts on, the machine
// itself. Only dom0 may call it (-EPERM otherwise), with Xen 4.17's
// interface version (-EACCES otherwise). The sub-ops Linux issues while
// booting as dom0, answered as Xen 4.17 does on a machine it booted by
// multiboot without EFI:
// - firmware_info: Vireo keeps no BIOS disk (EDD, MBR) or EDID data, so
//   every index is out of range (-ESRCH); EFI information is -ENOSYS (not
//   an EFI boot); the keyboard shift flags read as none pressed.
// - settime32/settime64: dom0 sets the wall clock of every domain.
// - get_cpuinfo: the physical CPUs Vireo runs, all online.
// - enter_acpi_sleep: S5 powers the machine off (dom0 stops with reason
//   poweroff, which stops the machine); the other sleep states are not
//   supported.
// Everything else (power management data, microcode, CPU hotplug, memory
// hotplug, symbols) is -ENOSYS, logged once per sub-op.
#include "abi/platform.hpp"
#include "abi/sched.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_time.hpp"

namespace vireo {
namespace {

Status firmware_info(xen::xenpf_firmware_info& fw)
{
    switch (fw.type) {
    case xen::XEN_FW_DISK_INFO:
    case xen::XEN_FW_DISK_MBR_SIGNATURE:
    case xen::XEN_FW_VBEDDC_INFO:
        return Status::NO_DOMAIN;  // ESRCH: no such entry
    case xen::XEN_FW_EFI_INFO:
        return Status::NOT_SUPPORTED;
    case xen::XEN_FW_KBD_SHIFT_FLAGS:
        if (fw.index != 0)
            return Status::INVALID;
        fw.u[0] = 0;
        return Status::OK;
    default:
        return Status::INVALID;
    }
}

void cpu_info(xen::xenpf_pcpuinfo& info)
{
    const Platform& p = platform();
    unsigned n = p.nr_cpus ? p.nr_cpus() : 1;
    info.max_present = n - 1;
    if (info.xen_cpuid >= n) {
        info.flags = xen::XEN_PCPU_FLAGS_INVALID;
        return;
    }
    info.flags = xen::XEN_PCPU_FLAGS_ONLINE;
    info.apic_id = p.cpu_apic_id ? p.cpu_apic_id(info.xen_cpuid) : info.xen_cpuid;
    // The ACPI processor UID: firmware that numbers processors in MADT
    // order (QEMU, most PCs) gives CPU n the UID n.
    info.acpi_id = info.xen_cpuid;
}

}  // namespace

HypercallResult do_platform_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t arg = args.a[0];
    if (!d.privileged)
        return hc_error(Status::PERMISSION);
    xen::xen_platform_op op;
    if (platform().copy_from_guest(&op, arg, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    if (op.interface_version != xen::XENPF_INTERFACE_VERSION)
        return hc_error(Status::ACCESS);

    switch (op.cmd) {
    case xen::XENPF_firmware_info: {
        Status s = firmware_info(op.u.firmware_info);
        if (s != Status::OK)
            return hc_error(s);
        break;  // copied back below
    }
    case xen::XENPF_settime32:
        set_wallclock(op.u.settime32.secs, op.u.settime32.nsecs, op.u.settime32.system_time);
        return 0;
    case xen::XENPF_settime64:
        if (op.u.settime64.mbz)
            return hc_error(Status::INVALID);
        set_wallclock(op.u.settime64.secs, op.u.settime64.nsecs, op.u.settime64.system_time);
        return 0;
    case xen::XENPF_get_cpuinfo:
        cpu_info(op.u.pcpu_info);
        break;
    case xen::XENPF_enter_acpi_sleep: {
        const xen::xenpf_enter_acpi_sleep& sl = op.u.enter_acpi_sleep;
        if (sl.flags & ~xen::XENPF_ACPI_SLEEP_EXTENDED)
            return hc_error(Status::INVALID);
        if (sl.sleep_state != xen::ACPI_STATE_S5) {
            report_unsupported(d, xen::HYPERVISOR_platform_op, op.cmd);
            return hc_error(Status::NOT_SUPPORTED);
        }
        domain_shutdown(d, xen::SHUTDOWN_poweroff);
        return 0;
    }
    default:
        report_unsupported(d, xen::HYPERVISOR_platform_op, op.cmd);
        return hc_error(Status::NOT_SUPPORTED);
    }
    if (platform().copy_to_guest(arg, &op, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    return 0;
}

}  // namespace vireo
