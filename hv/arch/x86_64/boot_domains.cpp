#include "hv/arch/x86_64/boot_domains.hpp"

#include "hv/arch/x86_64/layout.hpp"
#include "abi/xen.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/domain_config.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/pv_builder.hpp"
#include "hv/core/scheduler.hpp"
#include "lib/format.hpp"

namespace vireo::arch {
namespace {

// Without dom0_mem, dom0 gets the free memory less a reserve for the
// hypervisor (1/16, at least 16 MiB) and for the boot-time domains, as Xen
// does.
uint64_t dom0_pages(const HypervisorOptions& opts, uint64_t domu_pages)
{
    uint64_t free = frame_allocator().free_frames();
    uint64_t max = opts.dom0_max_bytes >> 12;
    uint64_t pages = opts.dom0_mem_bytes >> 12;
    if (!pages) {
        uint64_t reserve = (free / 16 > 4096 ? free / 16 : 4096) + domu_pages;
        pages = free > reserve ? free - reserve : 0;
    }
    return max && max < pages ? max : pages;  // as Xen: never more than max:
}

// dom0_mem=...,max:Y lets dom0's balloon grow it up to Y (Xen's maximum
// reservation); without it dom0 may only take back what it gave.
void set_dom0_max(Domain& dom0, const HypervisorOptions& opts)
{
    uint64_t max = opts.dom0_max_bytes >> 12;
    if (max > dom0.max_pages)
        dom0.max_pages = max;
}

const uint8_t* module_data(const BootModule& m) { return phys_to_virt<const uint8_t>(m.start); }
size_t module_size(const BootModule& m) { return m.end - m.start; }

void report_config_error(const char* message) { VLOG_ERR("%s\n", message); }

// The configuration module, if any (the first that starts with the magic).
DomainConfig g_config;
const BootInfo* g_info = nullptr;
// Which configuration line built each domain id (for restarts).
unsigned g_spec_of_domain[kMaxDomains + 1];
unsigned g_restarts[kMaxDomains + 1];
// A restarted domain's command line: its configured one plus
// "vireo_restart=<n>", so a guest can tell a reboot from its first boot.
char g_restart_cmdline[kMaxDomains + 1][xen::MAX_GUEST_CMDLINE];

const DomainConfig* read_config(const BootInfo& info)
{
    for (unsigned i = 1; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        if (!is_domain_config(module_data(m), module_size(m)))
            continue;
        VLOG_INFO("Boot-time domains from module %u '%s'\n", i + 1, m.cmdline);
        parse_domain_config(reinterpret_cast<const char*>(module_data(m)), module_size(m), info.module_count,
                            g_config, report_config_error);
        return &g_config;
    }
    return nullptr;
}

bool module_is_used_by(const DomainConfig* config, unsigned number)
{
    for (unsigned i = 0; config && i < config->count; ++i)
        if (config->domains[i].kernel_module == number || config->domains[i].ramdisk_module == number)
            return true;
    return false;
}

bool build_one(Domain& d, const BootModule& kernel, const BootModule* ramdisk, const char* cmdline,
               uint64_t nr_pages, unsigned nr_vcpus, unsigned kernel_number)
{
    BuildRequest req{};
    req.domain = &d;
    req.kernel = module_data(kernel);
    req.kernel_size = module_size(kernel);
    if (ramdisk) {
        req.initrd = module_data(*ramdisk);
        req.initrd_size = module_size(*ramdisk);
    }
    req.cmdline = cmdline;
    req.nr_pages = nr_pages;
    req.nr_vcpus = nr_vcpus;
    VLOG_INFO("Building d%u (%s) from module %u '%s' (%lu KiB), %lu MiB, %u vCPU%s\n", d.id, d.name, kernel_number,
              kernel.cmdline, module_size(kernel) >> 10, nr_pages >> 8, nr_vcpus, nr_vcpus > 1 ? "s" : "");
    ImageError e = build_pv_domain(req);
    if (!e.ok()) {
        VLOG_ERR("module %u (%s kernel '%s'): %s\n", kernel_number, d.name, kernel.cmdline, e.what);
        domain_destroy(d);
        return false;
    }
    return true;
}

unsigned build_config_domains(const BootInfo& info, const DomainConfig& config)
{
    unsigned started = 0;
    uint16_t next_id = 1;
    for (unsigned i = 0; i < config.count; ++i) {
        const DomainSpec& s = config.domains[i];
        Domain* d = domain_create(next_id, s.name, false);
        if (!d) {
            VLOG_ERR("domain config line %u: no room for domain '%s'\n", s.line, s.name);
            continue;
        }
        if (scheduler_set_params(*d, s.bvt) != Status::OK) {
            VLOG_ERR("domain config line %u: BVT parameters of '%s' refused\n", s.line, s.name);
            domain_destroy(*d);
            continue;
        }
        const BootModule* ramdisk = s.ramdisk_module ? &info.modules[s.ramdisk_module - 1] : nullptr;
        if (next_id <= kMaxDomains)
            g_spec_of_domain[next_id] = i + 1;
        if (build_one(*d, info.modules[s.kernel_module - 1], ramdisk, s.cmdline, s.memory_bytes >> 12, s.vcpus,
                      s.kernel_module)) {
            ++started;
            ++next_id;
        }
    }
    return started;
}

}  // namespace

unsigned build_boot_domains(const BootInfo& info, const HypervisorOptions& opts)
{
    if (info.module_count == 0) {
        VLOG_ERR("No boot modules: nothing to run (module 1 must be dom0's kernel)\n");
        return 0;
    }
    g_info = &info;
    const DomainConfig* config = read_config(info);
    uint64_t domu_pages = 0;
    for (unsigned i = 0; config && i < config->count; ++i)
        domu_pages += config->domains[i].memory_bytes >> 12;

    // Module 2 is dom0's initrd unless it is the configuration or a kernel
    // or ramdisk the configuration names.
    const BootModule& kernel = info.modules[0];
    const BootModule* initrd = nullptr;
    if (info.module_count > 1 && !is_domain_config(module_data(info.modules[1]), module_size(info.modules[1])) &&
        !module_is_used_by(config, 2))
        initrd = &info.modules[1];
    unsigned started = 0;
    Domain* dom0 = domain_create(0, "dom0", true);
    unsigned dom0_vcpus = dom0_vcpu_count(opts, platform().nr_cpus(), kMaxVcpusPerDomain);
    if (dom0 && build_one(*dom0, kernel, initrd, module_args(kernel.cmdline), dom0_pages(opts, domu_pages),
                          dom0_vcpus, 1)) {
        set_dom0_max(*dom0, opts);
        started = 1;
    }
    if (config)
        started += build_config_domains(info, *config);
    return started;
}

bool module_needed_for_restart(unsigned number)
{
    return g_config.count && module_is_used_by(&g_config, number);
}

bool restart_boot_domain(uint16_t id)
{
    unsigned spec = id <= kMaxDomains ? g_spec_of_domain[id] : 0;
    if (!spec || !g_info)
        return false;
    const DomainSpec& s = g_config.domains[spec - 1];
    if (Domain* old = domain_lookup(id))
        domain_destroy(*old);
    Domain* d = domain_create(id, s.name, false);
    if (!d || scheduler_set_params(*d, s.bvt) != Status::OK) {
        if (d)
            domain_destroy(*d);
        return false;
    }
    const BootModule* ramdisk = s.ramdisk_module ? &g_info->modules[s.ramdisk_module - 1] : nullptr;
    char* cmdline = g_restart_cmdline[id];
    format_to(cmdline, sizeof g_restart_cmdline[id], "%s vireo_restart=%u", s.cmdline, ++g_restarts[id]);
    return build_one(*d, g_info->modules[s.kernel_module - 1], ramdisk, cmdline, s.memory_bytes >> 12, s.vcpus,
                     s.kernel_module);
}

}  // namespace vireo::arch
