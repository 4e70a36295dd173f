#include "hv/arch/x86_64/tlb_shootdown.hpp"

#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/percpu.hpp"

namespace vireo::arch {

void tlb_shootdown_service()
{
    PerCpu* pc = this_cpu();
    if (!__atomic_load_n(&pc->flush_pending, __ATOMIC_ACQUIRE))
        return;
    Cr::write3(Cr::read3());  // guest mappings are never global
    __atomic_store_n(&pc->flush_pending, false, __ATOMIC_RELEASE);
}

void tlb_flush_domain(const Domain* d)
{
    PerCpu* me = this_cpu();
    Cr::write3(Cr::read3());
    unsigned n = cpus_online();
    bool sent[kMaxCpus] = {};
    for (unsigned i = 0; i < n; ++i) {
        PerCpu& pc = cpu_data(i);
        if (&pc == me || (d && pc.loaded_domain != d))
            continue;
        __atomic_store_n(&pc.flush_pending, true, __ATOMIC_RELEASE);
        // An idle CPU touches no guest memory: it flushes before it next
        // runs a vCPU (run_vcpu), and nobody waits for it.
        if (!pc.current_vcpu)
            continue;
        apic_send_ipi(pc.apic_id, kShootdownVector);
        sent[i] = true;
    }
    for (unsigned i = 0; i < n; ++i)
        while (sent[i] && __atomic_load_n(&cpu_data(i).flush_pending, __ATOMIC_ACQUIRE))
            cpu_relax();
}

void cpu_kick(unsigned cpu)
{
    PerCpu* me = this_cpu();
    if (cpu >= cpus_online())
        return;
    PerCpu& pc = cpu_data(cpu);
    __atomic_store_n(&pc.need_resched, true, __ATOMIC_RELEASE);
    if (&pc != me)
        apic_send_ipi(pc.apic_id, kRescheduleVector);
}

}  // namespace vireo::arch
