#include "hv/arch/x86_64/smp.hpp"

#include "hv/arch/x86_64/acpi_tables.hpp"
#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/big_lock.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/fpu.hpp"
#include "hv/arch/x86_64/gdt.hpp"
#include "hv/arch/x86_64/idt.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/run.hpp"
#include "hv/arch/x86_64/tick.hpp"
#include "hv/arch/x86_64/trap_frame.hpp"
#include "hv/arch/x86_64/tsc.hpp"
#include "hv/core/acpi_madt.hpp"
#include "hv/core/console.hpp"
#include "hv/core/log.hpp"

extern "C" const uint8_t ap_trampoline_start[], ap_trampoline_end[];
extern "C" uint8_t ap_slot_cr3[], ap_slot_stack[], ap_slot_entry[], ap_slot_cpu[];
extern "C" uint8_t boot_pml4[];

namespace vireo::arch {

void cpu_protect_features();

namespace {

constexpr uint64_t kTrampoline = 0x7000;  // must match ap_trampoline.S

uint64_t g_bsp_cr4 = 0;

void delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz() / 1000;
    while (rdtsc() < end)
        cpu_relax();
}

}  // namespace

// A secondary CPU, in long mode on the boot tables and its own stack.
extern "C" [[noreturn]] void ap_entry(uint32_t cpu)
{
    PerCpu& pc = cpu_data(cpu);
    Msr::write(Msr::kGsBase, reinterpret_cast<uint64_t>(&pc));
    Msr::write(Msr::kKernelGsBase, 0);
    Cr::write3(idle_l4());
    Cr::write4(g_bsp_cr4);
    gdt_init_cpu(cpu);
    idt_load();
    syscall_init_cpu();
    cpu_protect_features();
    fpu_init_cpu();
    apic_init_cpu();
    pc.apic_id = apic_id();
    cpu_mark_online(cpu);
    big_lock();
    tick_init_ap();
    VLOG_INFO("CPU %u: up, APIC id %u\n", cpu, pc.apic_id);
    schedule();
}

unsigned smp_boot()
{
    PerCpu& bsp = *this_cpu();
    bsp.apic_id = apic_id();
    size_t len = 0;
    const uint8_t* madt = acpi_find_madt(len);
    uint32_t ids[kMaxCpus];
    unsigned found = madt ? acpi_madt_cpus(madt, len, ids, kMaxCpus) : 0;
    if (found <= 1)
        return 1;
    g_bsp_cr4 = Cr::read4();
    big_lock_enable_smp();
    console_register_key('l', "dump the hypervisor lock's contention", big_lock_dump);
    size_t size = static_cast<size_t>(ap_trampoline_end - ap_trampoline_start);
    uint8_t* tramp = phys_to_virt<uint8_t>(kTrampoline);
    __builtin_memcpy(tramp, ap_trampoline_start, size);
    auto slot = [&](const uint8_t* s) { return reinterpret_cast<uint64_t*>(tramp + (s - ap_trampoline_start)); };
    *slot(ap_slot_cr3) = virt_to_phys(boot_pml4);
    *slot(ap_slot_entry) = reinterpret_cast<uint64_t>(&ap_entry);
    unsigned next = 1;
    for (unsigned i = 0; i < found && next < kMaxCpus; ++i) {
        if (ids[i] == bsp.apic_id)
            continue;
        // The top of the stack holds the guest frame of the vCPU the CPU
        // runs (run_vcpu fills it): the CPU's first C code, whose idle loop
        // and first run_vcpu never return, must sit below it, or calls made
        // after the frame is filled overwrite guest registers. Minus 8: the
        // trampoline jumps, so start as if a call had pushed its return.
        uint64_t below_frame = (cpu_data(next).stack_top - sizeof(TrapFrame)) & ~uint64_t{15};
        *slot(ap_slot_stack) = below_frame - 8;
        *slot(ap_slot_cpu) = next;
        apic_send_init(ids[i]);
        delay_us(10000);
        for (int sipi = 0; sipi < 2 && cpus_online() <= next; ++sipi) {
            apic_send_startup(ids[i], static_cast<uint8_t>(kTrampoline >> 12));
            delay_us(200);
        }
        uint64_t deadline = rdtsc() + tsc_khz() * 1000;  // a second
        while (cpus_online() <= next && rdtsc() < deadline)
            cpu_relax();
        if (cpus_online() <= next) {
            VLOG_ERR("CPU with APIC id %u did not start\n", ids[i]);
            continue;
        }
        ++next;
    }
    return cpus_online();
}

}  // namespace vireo::arch
