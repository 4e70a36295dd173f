#include "hv/arch/x86_64/domain_reaper.hpp"

#include "hv/arch/x86_64/boot_domains.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"
#include "abi/sched.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/log.hpp"

namespace vireo::arch {
namespace {

bool pointer_into(const void* p, const Domain& d)
{
    auto* b = reinterpret_cast<const uint8_t*>(&d);
    auto* q = reinterpret_cast<const uint8_t*>(p);
    return q >= b && q < b + sizeof(Domain);
}

// Whether some CPU still has d's tables loaded or runs one of its vCPUs;
// such a CPU is asked to come round its scheduler (and reap) soon.
bool in_use_elsewhere(const Domain& d)
{
    bool busy = false;
    for (unsigned i = 0; i < d.nr_vcpus; ++i)
        busy |= d.vcpus[i].on_a_cpu;
    for (unsigned c = 0; c < cpus_online(); ++c) {
        if (cpu_data(c).loaded_domain == &d) {
            busy = true;
            cpu_kick(c);
        }
    }
    return busy;
}

// Off d's page tables on this CPU: they are about to be freed.
void unload_here(const Domain& d)
{
    PerCpu* pc = this_cpu();
    if (pc->loaded_domain == &d) {
        Cr::write3(idle_l4());
        pc->loaded_domain = nullptr;
    }
}

// No CPU may take a later domain in this slot for this one.
void forget_everywhere(const Domain& d)
{
    for (unsigned c = 0; c < cpus_online(); ++c) {
        PerCpu& other = cpu_data(c);
        if (pointer_into(other.gdt_vcpu, d))
            other.gdt_vcpu = nullptr;
        if (pointer_into(other.fpu_vcpu, d))
            other.fpu_vcpu = nullptr;
        if (pointer_into(other.segments_vcpu, d))
            other.segments_vcpu = nullptr;
    }
}

}  // namespace

bool domain_off_cpus(Domain& d)
{
    unload_here(d);
    if (in_use_elsewhere(d))
        return false;
    forget_everywhere(d);
    return true;
}

void reap_stopped_domains()
{
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain& d = *domain_at(s);
        // A domain dom0 is destroying (destroydomain takes it apart in
        // rounds): this CPU only lets go of it.
        if (d.state == DomainState::DYING) {
            unload_here(d);
            continue;
        }
        // A toolstack's domain stays as it stopped until dom0 destroys it.
        if (d.state != DomainState::SHUT_DOWN || d.resources_released || d.id == 0 || d.toolstack_built)
            continue;
        unload_here(d);
        if (in_use_elsewhere(d))
            continue;
        forget_everywhere(d);
        TeardownReport r = domain_release_resources(d);
        d.resources_released = true;
        if (r.frames_kept)
            VLOG_WARN("Domain %u (%s): %lu frames still referenced elsewhere, kept\n", d.id, d.name, r.frames_kept);
        VLOG_INFO("Domain %u (%s) destroyed: %lu frames back in the allocator\n", d.id, d.name, r.frames_freed);
        if (d.shutdown_reason == xen::SHUTDOWN_reboot) {
            uint16_t id = d.id;
            VLOG_INFO("Domain %u (%s) rebooting\n", id, d.name);
            if (!restart_boot_domain(id))
                VLOG_ERR("Domain %u could not be restarted\n", id);
        }
    }
}

}  // namespace vireo::arch
