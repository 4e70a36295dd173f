#include "hv/core/domain_control.hpp"

#include "abi/xen.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_events.hpp"
#include "hv/core/vcpu_time.hpp"

namespace vireo {
namespace {

constexpr uint32_t kKnownFlags = xen::XEN_DOMCTL_CDF_hvm | xen::XEN_DOMCTL_CDF_hap | xen::XEN_DOMCTL_CDF_s3_integrity |
                                 xen::XEN_DOMCTL_CDF_oos_off | xen::XEN_DOMCTL_CDF_xs_domain |
                                 xen::XEN_DOMCTL_CDF_iommu | xen::XEN_DOMCTL_CDF_nested_virt |
                                 xen::XEN_DOMCTL_CDF_vpmu;
constexpr uint32_t kGrantVersionMask = 0xf;      // XEN_DOMCTL_GRANT_version_mask
constexpr uint32_t kGrantMaxVersion = 2;         // Xen's gnttab_max_version default
constexpr int32_t kMaxGrantFrames = 64;          // Xen's default gnttab_max_frames
constexpr int32_t kMaxMaptrackFrames = 1024;     // and gnttab_max_maptrack_frames
constexpr uint32_t kEmulationAll = 0x7ff;        // XEN_X86_EMU_ALL
constexpr uint32_t kEmulationPit = 1u << 8;      // XEN_X86_EMU_PIT
constexpr uint32_t kMiscFlagsKnown = 1u << 0;    // XEN_X86_MSR_RELAXED
constexpr uint32_t kMaxPauseCount = 255;         // Xen's limit on the toolstack's count
// Frames a round of destroydomain looks at before it continues.
constexpr uint64_t kTeardownFramesPerRound = 16384;

uint16_t g_rover = 0;  // the last id given when any would do (Xen's rover)

bool id_free(uint16_t id) { return id != 0 && id < xen::DOMID_FIRST_RESERVED && !domain_find(id); }

}  // namespace

Status createdomain_check(const xen::xen_domctl_createdomain& c)
{
    bool hvm = c.flags & xen::XEN_DOMCTL_CDF_hvm;
    bool hap = c.flags & xen::XEN_DOMCTL_CDF_hap;
    // sanitise_domain_config.
    if (c.flags & ~kKnownFlags)
        return Status::INVALID;
    if (c.grant_opts & ~kGrantVersionMask)
        return Status::INVALID;
    if (c.max_vcpus < 1)
        return Status::INVALID;
    if (hap && !hvm)
        return Status::INVALID;
    // No IOMMU to give, no vmtrace, no vPMU: Xen on a machine without them.
    if ((c.flags & xen::XEN_DOMCTL_CDF_iommu) || c.iommu_opts || c.vmtrace_size ||
        (c.flags & xen::XEN_DOMCTL_CDF_vpmu))
        return Status::INVALID;
    // arch_sanitise_domain_config: PV only (Xen without HVM support).
    if (hvm)
        return Status::INVALID;
    if (c.max_vcpus > kMaxVcpusPerDomain)
        return Status::INVALID;
    if (c.flags & xen::XEN_DOMCTL_CDF_s3_integrity)  // no tboot
        return Status::INVALID;
    if ((c.flags & xen::XEN_DOMCTL_CDF_nested_virt) && !hap)
        return Status::INVALID;
    if (c.arch.misc_flags & ~kMiscFlagsKnown)
        return Status::INVALID;
    // arch_domain_create: emulated devices.
    if (c.arch.emulation_flags & ~kEmulationAll)
        return Status::INVALID;
    if (c.arch.emulation_flags != 0 && c.arch.emulation_flags != kEmulationPit)
        return Status::NOT_SUPPORTED;
    // grant_table_init: a version, and frame limits (-1: the default).
    uint32_t version = c.grant_opts & kGrantVersionMask;
    if (version == 0 || version > kGrantMaxVersion)
        return Status::INVALID;
    int32_t grant = c.max_grant_frames < 0 ? kMaxGrantFrames : c.max_grant_frames;
    int32_t maptrack = c.max_maptrack_frames < 0 ? kMaxMaptrackFrames : c.max_maptrack_frames;
    if (grant < 1 || grant > kMaxGrantFrames || maptrack > kMaxMaptrackFrames)
        return Status::INVALID;
    // sched_init_domain: pool 0 is the only CPU pool.
    if (c.cpupool_id != 0)
        return Status::NO_DOMAIN;
    return Status::OK;
}

Result<uint16_t> createdomain_pick_id(uint16_t wanted)
{
    if (wanted > 0 && wanted < xen::DOMID_FIRST_RESERVED)
        return id_free(wanted) ? Result<uint16_t>(wanted) : Result<uint16_t>(Status::EXISTS);
    uint16_t id = g_rover;
    for (unsigned tries = 0; tries < xen::DOMID_FIRST_RESERVED; ++tries) {
        id = static_cast<uint16_t>(id + 1 >= xen::DOMID_FIRST_RESERVED ? 1 : id + 1);
        if (id_free(id)) {
            g_rover = id;
            return id;
        }
    }
    return Status::NO_MEMORY;
}

Result<Domain*> domain_create_for_toolstack(uint16_t id, const xen::xen_domctl_createdomain& c)
{
    VIREO_TRY(createdomain_check(c));
    Domain* d = domain_create(id, "domU", false);
    if (!d)
        return Status::NO_MEMORY;  // the domain table is full
    if (domain_give_shared_info(*d) != Status::OK) {
        domain_destroy(*d);
        return Status::NO_MEMORY;
    }
    d->toolstack_built = true;
    d->controller_pause_count = 1;
    d->max_vcpus = c.max_vcpus;  // created by domctl max_vcpus
    d->max_evtchn_port = c.max_evtchn_port < kMaxEventPorts - 1 ? c.max_evtchn_port : kMaxEventPorts - 1;
    d->state = DomainState::RUNNING;  // exists; runs once unpaused with a vCPU up
    update_wallclock(*d);
    VLOG_INFO("d%u created by d0's toolstack: up to %u vCPU%s, paused\n", d->id, d->max_vcpus,
              d->max_vcpus > 1 ? "s" : "");
    return d;
}

Status domain_create_vcpus(Domain& d, uint32_t count)
{
    if (!d.toolstack_built || count != d.max_vcpus)
        return Status::INVALID;
    d.nr_vcpus = count;  // down, without a context, until setvcpucontext
    return Status::OK;
}

Status domain_pause_by_controller(Domain& d)
{
    if (d.controller_pause_count >= kMaxPauseCount)
        return Status::RANGE;
    ++d.controller_pause_count;
    // Vireo does not wait: a vCPU running elsewhere leaves on its next
    // way back to the guest (setvcpucontext waits for that by itself).
    for (unsigned i = 0; i < d.nr_vcpus; ++i)
        vcpu_kick_remote(d.vcpus[i]);
    return Status::OK;
}

Status domain_unpause_by_controller(Domain& d)
{
    if (d.controller_pause_count == 0)
        return Status::INVALID;
    if (--d.controller_pause_count == 0)
        for (unsigned i = 0; i < d.nr_vcpus; ++i)
            vcpu_domain_unpaused(d.vcpus[i]);
    return Status::OK;
}

Status domain_kill(Domain& d)
{
    if (d.state != DomainState::DYING) {
        d.was_shut_down = d.state == DomainState::SHUT_DOWN;
        d.state = DomainState::DYING;  // no CPU takes its vCPUs any more
        for (unsigned i = 0; i < d.nr_vcpus; ++i) {
            Vcpu& v = d.vcpus[i];
            if (v.state != VcpuState::DOWN)
                vcpu_down(v);
            vcpu_kick_remote(v);
        }
        VLOG_INFO("d%u (%s): destroyed by the toolstack\n", d.id, d.name);
    } else if (domain_teardown_done(d)) {
        return Status::OK;  // a zombie: done, waiting for its last frames
    }
    const Platform& p = platform();
    if (p.domain_off_cpus && !p.domain_off_cpus(d))
        return Status::RESTART;  // a CPU still uses it: it lets go soon
    TeardownReport r;
    if (domain_release_step(d, kTeardownFramesPerRound, r) == Status::RESTART)
        return Status::RESTART;
    d.resources_released = true;
    if (r.frames_kept)
        VLOG_WARN("d%u: %lu frames still mapped elsewhere: it stays until they are unmapped\n", d.id, r.frames_kept);
    VLOG_INFO("d%u: %lu frames back in the allocator\n", d.id, r.frames_freed);
    if (d.tot_pages == 0)
        d.state = DomainState::DEAD;
    return Status::OK;
}

}  // namespace vireo
