#include "hv/core/scheduler.hpp"

#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

// Dom0's shutdown reason decides how the machine stops; with no dom0 the
// last domain's reason is used.
uint8_t g_exit_reason = 0;
bool g_dom0_reported = false;

}  // namespace

Vcpu* scheduler_pick(Vcpu* current)
{
    // Flatten (domain slot, vcpu) into one index and scan from after current.
    unsigned total = kMaxDomains * kMaxVcpusPerDomain;
    unsigned start = 0;
    if (current) {
        Domain* d = current->domain;
        for (unsigned s = 0; s < kMaxDomains; ++s)
            if (domain_at(s) == d)
                start = s * kMaxVcpusPerDomain + current->id + 1;
    }
    for (unsigned k = 0; k < total; ++k) {
        unsigned idx = (start + k) % total;
        Domain* d = domain_at(idx / kMaxVcpusPerDomain);
        if (d->state != DomainState::RUNNING)
            continue;
        Vcpu& v = d->vcpus[idx % kMaxVcpusPerDomain];
        if (v.id < d->nr_vcpus && v.state == VcpuState::RUNNABLE)
            return &v;
    }
    return nullptr;
}

void scheduler_domain_stopped(Domain& d)
{
    if (d.id == 0) {
        g_exit_reason = d.shutdown_reason;
        g_dom0_reported = true;
    } else if (!g_dom0_reported) {
        g_exit_reason = d.shutdown_reason;
    }
    if (domains_alive() != 0)
        return;
    VLOG_INFO("No domains left: stopping the machine (%s)\n", shutdown_reason_name(g_exit_reason));
    // The arch layer reports the value to QEMU's isa-debug-exit, then
    // reboots for SHUTDOWN_reboot and powers off otherwise.
    platform().power_off(machine_exit_value());
}

uint8_t machine_exit_value() { return g_exit_reason; }

}  // namespace vireo
