// sysctl: a privileged domain's view of the machine. physinfo only, filled
// from what the hypervisor really has: its CPUs, and the frames of the
// frame allocator (total = every frame domains can have, free = on the
// free list now). Checks in Xen 4.17's order: the argument is read
// (-EFAULT), its interface version checked (-EACCES), then the caller must
// be privileged (-EPERM).
#include "abi/sysctl.hpp"
#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

void fill_physinfo(xen::xen_sysctl_physinfo& pi)
{
    const Platform& p = platform();
    pi = {};
    unsigned cpus = p.nr_cpus ? p.nr_cpus() : 1;
    pi.threads_per_core = 1;
    pi.cores_per_socket = cpus;
    pi.nr_cpus = cpus;
    pi.max_cpu_id = cpus - 1;
    pi.nr_nodes = 1;  // no NUMA: one node, id 0
    pi.cpu_khz = static_cast<uint32_t>(p.tsc_hz / 1000);
    pi.capabilities = xen::XEN_SYSCTL_PHYSCAP_pv;
    pi.total_pages = frame_allocator().total_frames();
    pi.free_pages = frame_allocator().free_frames();
    // Freed frames are scrubbed before they reach the free list.
    pi.scrub_pages = 0;
    pi.max_mfn = frame_table().nr_frames() ? frame_table().nr_frames() - 1 : 0;
    // The boot CPU's feature words in Xen's featureset order (1d, 1c,
    // e1d, e1c, Da1, 7b0, 7c0, e7d).
    if (p.cpuid) {
        uint32_t r[4];
        p.cpuid(1, 0, r);
        pi.hw_cap[0] = r[3], pi.hw_cap[1] = r[2];
        p.cpuid(0x80000001, 0, r);
        pi.hw_cap[2] = r[3], pi.hw_cap[3] = r[2];
        p.cpuid(0xd, 1, r);
        pi.hw_cap[4] = r[0];
        p.cpuid(7, 0, r);
        pi.hw_cap[5] = r[1], pi.hw_cap[6] = r[2];
        p.cpuid(0x80000007, 0, r);
        pi.hw_cap[7] = r[3];
    }
}

}  // namespace

HypercallResult do_sysctl(Vcpu& v, HypercallArgs& args)
{
    uint64_t arg = args.a[0];
    xen::xen_sysctl op;
    if (platform().copy_from_guest(&op, arg, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    if (op.interface_version != xen::XEN_SYSCTL_INTERFACE_VERSION)
        return hc_error(Status::ACCESS);
    if (!v.domain->privileged)
        return hc_error(Status::PERMISSION);
    switch (op.cmd) {
    case xen::XEN_SYSCTL_physinfo:
        fill_physinfo(op.u.physinfo);
        break;
    default:
        report_unsupported(*v.domain, xen::HYPERVISOR_sysctl, op.cmd);
        return hc_error(Status::NOT_SUPPORTED);
    }
    if (platform().copy_to_guest(arg, &op, sizeof op) != Status::OK)
        return hc_error(Status::FAULT);
    return 0;
}

}  // namespace vireo
