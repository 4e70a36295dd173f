#include "hv/core/domain.hpp"

#include <new>

#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/scheduler.hpp"
#include "hv/core/vcpu_events.hpp"

namespace vireo {
namespace {

Domain g_domains[kMaxDomains];

void copy_name(char* dst, const char* src)
{
    unsigned i = 0;
    for (; src && src[i] && i + 1 < kDomainNameLen; ++i)
        dst[i] = src[i];
    dst[i] = '\0';
}

}  // namespace

Domain* domain_create(uint16_t id, const char* name, bool privileged)
{
    if (domain_find(id))
        return nullptr;
    for (Domain& d : g_domains) {
        if (domain_is_live(d))
            continue;
        // Constructed in place: a Domain is far larger than a hypervisor
        // stack, so `d = Domain{}` (a temporary) must never be written.
        new (&d) Domain;
        d.id = id;
        copy_name(d.name, name);
        d.privileged = privileged;
        d.state = DomainState::BUILDING;
        for (unsigned i = 0; i < kMaxVcpusPerDomain; ++i) {
            d.vcpus[i].domain = &d;
            d.vcpus[i].id = i;
            d.vcpus[i].in_kernel_mode = true;
            d.vcpus[i].runstate.state = xen::RUNSTATE_offline;
            // Spread the vCPUs over the CPUs (stealing evens things out).
            const Platform& p = platform();
            d.vcpus[i].processor = p.nr_cpus ? (id + i) % p.nr_cpus() : 0;
            // FPU state as FNINIT and reset leave it (FXSAVE layout):
            // control word 0x037f, MXCSR 0x1f80.
            d.vcpus[i].fpu_state[0] = 0x7f, d.vcpus[i].fpu_state[1] = 0x03;
            d.vcpus[i].fpu_state[24] = 0x80, d.vcpus[i].fpu_state[25] = 0x1f;
        }
        return &d;
    }
    return nullptr;
}

Domain* domain_find(uint16_t id)
{
    for (Domain& d : g_domains)
        if (d.id == id && domain_is_live(d))
            return &d;
    return nullptr;
}

Domain* domain_lookup(uint16_t id)
{
    Domain* d = domain_find(id);
    return d && d->state != DomainState::DYING ? d : nullptr;
}

unsigned domains_alive()
{
    unsigned n = 0;
    for (Domain& d : g_domains)
        n += d.state == DomainState::BUILDING || d.state == DomainState::RUNNING;
    return n;
}

Domain* domain_at(unsigned slot) { return slot < kMaxDomains ? &g_domains[slot] : nullptr; }

const char* shutdown_reason_name(uint8_t reason)
{
    static const char* const kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"};
    return reason < sizeof(kNames) / sizeof(kNames[0]) ? kNames[reason] : "unknown";
}

void domain_shutdown(Domain& d, uint8_t reason)
{
    if (d.state != DomainState::RUNNING)
        return;
    d.state = DomainState::SHUT_DOWN;
    d.shutdown_reason = reason;
    for (unsigned i = 0; i < d.nr_vcpus; ++i) {
        d.vcpus[i].state = VcpuState::DOWN;
        vcpu_kick_remote(d.vcpus[i]);  // stop it where it runs
    }
    VLOG_INFO("Domain %u (%s) shut down: reason %s, code %u\n", d.id, d.name, shutdown_reason_name(reason),
              d.shutdown_code);
    scheduler_domain_stopped(d);
}

void domain_crash(Domain& d, const char* why)
{
    VLOG_ERR("Domain %u (%s) crashed: %s\n", d.id, d.name, why);
    constexpr uint8_t kShutdownCrash = 3;  // SHUTDOWN_crash
    domain_shutdown(d, kShutdownCrash);
}

void domain_destroy(Domain& d) { d.state = DomainState::DEAD; }

void report_unsupported(Domain& d, uint64_t hypercall, int64_t sub_op)
{
    if (sub_op < 0) {
        if (hypercall >= 128)
            hypercall = 127;
        uint64_t& word = d.enosys_logged[hypercall / 64];
        uint64_t bit = uint64_t{1} << (hypercall % 64);
        if (word & bit)
            return;
        word |= bit;
        VLOG_WARN("d%u: hypercall %lu not supported: -ENOSYS\n", d.id, hypercall);
        return;
    }
    uint64_t key = (hypercall << 32) | static_cast<uint32_t>(sub_op);
    for (unsigned i = 0; i < d.enosys_subop_count; ++i)
        if (d.enosys_subops[i] == key)
            return;
    if (d.enosys_subop_count < sizeof(d.enosys_subops) / sizeof(d.enosys_subops[0]))
        d.enosys_subops[d.enosys_subop_count++] = key;
    VLOG_WARN("d%u: hypercall %lu sub-op %ld not supported: -ENOSYS\n", d.id, hypercall, sub_op);
}

Status domain_give_shared_info(Domain& d)
{
    Result<Mfn> frame = frame_allocator().alloc(d.id);
    if (!frame.ok())
        return Status::NO_MEMORY;
    d.shared_info_maddr = frame.value().raw << kPageShift;
    auto* shared = static_cast<xen::shared_info*>(map_machine_memory(d.shared_info_maddr));
    __builtin_memset(shared, 0, kPageSize);
    for (auto& vi : shared->vcpu_info)
        vi.evtchn_upcall_mask = 1;
    for (unsigned i = 0; i < kMaxVcpusPerDomain; ++i)
        d.vcpus[i].vcpu_info_maddr = d.shared_info_maddr + i * sizeof(xen::vcpu_info);
    return Status::OK;
}

}  // namespace vireo
