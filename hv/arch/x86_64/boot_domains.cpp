#include "hv/arch/x86_64/boot_domains.hpp"

#include "hv/arch/x86_64/layout.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/log.hpp"
#include "hv/core/pv_builder.hpp"

namespace vireo::arch {
namespace {

// Without dom0_mem, dom0 gets the free memory less a reserve for the
// hypervisor (1/16, at least 16 MiB), as Xen does.
uint64_t dom0_pages(const HypervisorOptions& opts)
{
    uint64_t free = frame_allocator().free_frames();
    if (opts.dom0_mem_bytes)
        return opts.dom0_mem_bytes >> 12;
    uint64_t reserve = free / 16 > 4096 ? free / 16 : 4096;
    return free > reserve ? free - reserve : 0;
}

}  // namespace

unsigned build_boot_domains(const BootInfo& info, const HypervisorOptions& opts)
{
    if (info.module_count == 0) {
        VLOG_ERR("No boot modules: nothing to run (module 1 must be dom0's kernel)\n");
        return 0;
    }
    const BootModule& kernel = info.modules[0];
    const BootModule* initrd = info.module_count > 1 ? &info.modules[1] : nullptr;
    Domain* d = domain_create(0, "dom0", true);
    if (!d)
        return 0;
    BuildRequest req{};
    req.domain = d;
    req.kernel = phys_to_virt<const uint8_t>(kernel.start);
    req.kernel_size = kernel.end - kernel.start;
    if (initrd) {
        req.initrd = phys_to_virt<const uint8_t>(initrd->start);
        req.initrd_size = initrd->end - initrd->start;
    }
    req.cmdline = module_args(kernel.cmdline);
    req.nr_pages = dom0_pages(opts);
    VLOG_INFO("Building dom0 from module 1 '%s' (%lu KiB), %lu MiB\n", kernel.cmdline,
              (kernel.end - kernel.start) >> 10, req.nr_pages >> 8);
    ImageError e = build_pv_domain(req);
    if (!e.ok()) {
        VLOG_ERR("module 1 (dom0 kernel '%s'): %s\n", kernel.cmdline, e.what);
        domain_destroy(*d);
        return 0;
    }
    return 1;
}

}  // namespace vireo::arch
