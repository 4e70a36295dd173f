// The start-up sequence after the boot CPU is in long mode: options, memory,
// time, the first domain(s), then the scheduler.
#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/boot_domains.hpp"
#include "hv/arch/x86_64/big_lock.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/debugregs.hpp"
#include "hv/arch/x86_64/domain_reaper.hpp"
#include "hv/arch/x86_64/fpu.hpp"
#include "hv/arch/x86_64/gdt.hpp"
#include "hv/arch/x86_64/ldt.hpp"
#include "hv/arch/x86_64/guest_access.hpp"
#include "hv/arch/x86_64/ioapic.hpp"
#include "hv/arch/x86_64/kernel_unpack.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/machine.hpp"
#include "hv/arch/x86_64/memory_init.hpp"
#include "hv/arch/x86_64/multiboot.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/pci.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/rtc.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/run.hpp"
#include "hv/arch/x86_64/smp.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"
#include "hv/arch/x86_64/tick.hpp"
#include "hv/arch/x86_64/traps.hpp"
#include "hv/arch/x86_64/tsc.hpp"
#include "hv/core/cmdline.hpp"
#include "hv/core/console.hpp"
#include "hv/core/debug_dump.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/log.hpp"
#include "hv/core/platform.hpp"
#include "hv/drivers/uart16550.hpp"

namespace vireo::arch {
void cpu_protect_features();
void handle_guest_trap(TrapFrame* frame);
}  // namespace vireo::arch

namespace {

using namespace vireo;
using namespace vireo::arch;

arch::BootInfo g_boot_info;

// Like Xen's 'C' key: a deliberate fatal fault, to show what a panic prints.
void crash_on_purpose()
{
    log(LogLevel::ERROR, "'C' pressed: crashing on purpose\n");
    *reinterpret_cast<volatile uint64_t*>(0x10) = 1;
}

void console_write(const char* s, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        if (s[i] == '\n')
            com1().put_char('\r');
        com1().put_char(s[i]);
    }
}

[[noreturn]] void power_off(uint8_t exit_value)
{
    constexpr uint8_t kShutdownReboot = 1;
    // A reboot really resets the machine, as Xen does (under QEMU's
    // -no-reboot the reset ends QEMU with status 0); every other reason is
    // reported to isa-debug-exit first.
    if (exit_value == kShutdownReboot)
        machine_reboot();
    machine_exit_for_qemu(exit_value);
    machine_power_off(exit_value);
}

void* map_machine(uint64_t paddr) { return phys_to_virt(paddr); }

void set_fs_base(uint64_t base) { Msr::write(Msr::kFsBase, base); }

// While the hypervisor runs, the guest's live GS base waits in
// KERNEL_GS_BASE (entry.S swaps it back on the way out).
void set_active_gs_base(uint64_t base) { Msr::write(Msr::kKernelGsBase, base); }

VIREO_HOT void load_guest_mode(const Vcpu& v)
{
    uint64_t cr3 = v.in_kernel_mode || !v.user_cr3 ? v.kernel_cr3 : v.user_cr3;
    PerCpu* pc = this_cpu();
    if (v.in_kernel_mode || !v.user_cr3) {
        // The kernel's tables at once: a bounce writes its frame on the
        // guest kernel's stack next.
        pc->deferred_cr3 = 0;
        if (Cr::read3() != cr3)
            Cr::write3(cr3);
    } else {
        // Back to user mode (the iret hypercall): nothing before the return
        // touches guest memory through them, and a CR3 load empties the
        // TLB (all of QEMU's, under TCG), so every page the hypervisor
        // touches after it misses again: load them last (exit_to_guest).
        pc->deferred_cr3 = cr3;
    }
    set_active_gs_base(v.in_kernel_mode ? v.gs_base_kernel : v.gs_base_user);
}

void set_fpu_ts(bool set)
{
    uint64_t cr0 = Cr::read0();
    Cr::write0(set ? cr0 | Cr::kCr0Ts : cr0 & ~Cr::kCr0Ts);
}

// The GNU build-id note: namesz, descsz, type, "GNU\0", then the id.
extern "C" const uint8_t __build_id_note[], __build_id_note_end[];

void install_platform()
{
    Platform ops{};
    if (__build_id_note_end - __build_id_note > 16) {
        uint32_t descsz;
        __builtin_memcpy(&descsz, __build_id_note + 4, 4);
        ops.build_id = __build_id_note + 16;
        ops.build_id_len = descsz;
    }
    ops.copy_from_guest = copy_from_guest;
    ops.copy_to_guest = copy_to_guest;
    ops.console_write = console_write;
    ops.console_read = console_read_dom0;
    ops.power_off = power_off;
    ops.reboot = machine_reboot;
    ops.now_ns = now_ns;
    ops.map_machine = map_machine;
    ops.direct_map = reinterpret_cast<uint8_t*>(kDirectMapBase);
    ops.m2p_set = m2p_set;
    ops.fill_hypervisor_slots = copy_hypervisor_slots;
    ops.set_fs_base = set_fs_base;
    ops.set_active_gs_base = set_active_gs_base;
    ops.load_guest_mode = load_guest_mode;
    ops.set_fpu_ts = set_fpu_ts;
    ops.read_cr0 = Cr::read0;
    ops.port_in = Io::in;
    ops.port_out = Io::out;
    ops.flush_tlb_local = [] { Cr::write3(Cr::read3()); };
    ops.cpuid = [](uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
        CpuidResult r = cpuid(leaf, subleaf);
        out[0] = r.eax, out[1] = r.ebx, out[2] = r.ecx, out[3] = r.edx;
    };
    ops.max_device_mfn = uint64_t{1} << ((cpuid(0x80000008).eax & 0xff) - 12);
    ops.invlpg_local = [](uint64_t va) { invlpg(va); };
    ops.read_tsc = rdtsc;
    ops.timers_changed = timer_reprogram;
    ops.timer_arm_here = timer_arm_by;
    ops.running_vcpu = current_vcpu;
    ops.request_resched = [] { this_cpu()->need_resched = true; };
    // A reschedule is due here, or another CPU waits for the hypervisor
    // lock this one holds (a long batch must not hold up its hypercalls).
    ops.preempt_pending = [] {
        return __atomic_load_n(&this_cpu()->need_resched, __ATOMIC_RELAXED) || big_lock_others_waiting();
    };
    ops.current_cpu = [] { return static_cast<unsigned>(this_cpu()->cpu_index); };
    ops.nr_cpus = cpus_online;
    ops.cpu_apic_id = [](unsigned cpu) { return cpu_data(cpu).apic_id; };
    ops.running_vcpu_on = [](unsigned cpu) { return static_cast<Vcpu*>(cpu_data(cpu).current_vcpu); };
    ops.kick_cpu = cpu_kick;
    ops.flush_tlb_domain = tlb_flush_domain;
    ops.debugregs_changed = [](const Vcpu& v) {
        if (current_vcpu() == &v)
            debugregs_switch_in(v);
    };
    ops.reload_guest_gdt = [] {
        if (Vcpu* v = current_vcpu())
            gdt_load_guest(*v);
    };
    ops.reload_guest_ldt = [] {
        if (Vcpu* v = current_vcpu())
            ldt_load_guest(*v);
    };
    ops.domain_off_cpus = domain_off_cpus;
    platform_install(ops);
}

// Once the TSC is calibrated: system time starts, and the wall clock is
// read from the RTC for the guests' shared_info.
void install_time(const TimeCalibration& cal)
{
    Platform ops = platform();
    ops.tsc_hz = cal.tsc_khz * 1000;
    ops.tsc_at_zero = tsc_at_boot();
    ops.boot_wallclock_sec = rtc_read_unix_seconds();
    platform_install(ops);
    if (!ops.boot_wallclock_sec)
        VLOG_WARN("RTC unreadable: guests' wall clock starts at 1970\n");
}

}  // namespace

void boot_main(uint32_t magic, uint32_t info_paddr)
{
    // The boot CPU does the hypervisor's work until its first guest runs.
    big_lock();
    VLOG_INFO("Vireo hypervisor, x86-64, Xen PV ABI (interface 4.17)\n");
    const char* error = nullptr;
    if (!parse_multiboot(magic, info_paddr, g_boot_info, &error))
        panic("%s", error);
    VLOG_INFO("Loader: %s; command line: '%s'\n", g_boot_info.loader_name, g_boot_info.cmdline);
    set_hypervisor_command_line(g_boot_info.cmdline);
    HypervisorOptions opts = parse_cmdline(g_boot_info.cmdline);
    if (opts.log_level_given)
        log_set_level(static_cast<LogLevel>(opts.log_level));

    install_platform();
    memory_init(g_boot_info);
    cpu_protect_features();
    fpu_init_cpu();
    set_guest_trap_handler(handle_guest_trap);

    apic_init_cpu();
    TimeCalibration cal = time_calibrate();
    VLOG_INFO("CPU 0: %s, APIC id %u, TSC %lu.%03lu MHz, APIC timer %lu.%03lu MHz\n",
              apic_is_x2apic() ? "x2APIC" : "xAPIC", apic_id(), cal.tsc_khz / 1000, cal.tsc_khz % 1000,
              cal.apic_timer_khz / 1000, cal.apic_timer_khz % 1000);
    install_time(cal);
    tick_init(cal.apic_timer_khz, 100);
    set_interrupt_handler(kRescheduleVector, [](TrapFrame*) { apic_eoi(); });  // need_resched is set
    unsigned cpus = smp_boot();
    if (cpus > 1)
        VLOG_INFO("%u CPUs running\n", cpus);
    ioapic_init(4);  // COM1's IRQ stays the hypervisor's, as on Xen
    pci_install_platform_ops();
    debug_dump_register_keys();
    console_register_key('C', "crash the hypervisor (tests the panic path)", crash_on_purpose);

    unsigned started = build_boot_domains(g_boot_info, opts);
    release_unpacked_kernels(module_needed_for_restart);
    if (started == 0) {
        VLOG_ERR("No domain could be started: halting\n");
        machine_exit_for_qemu(kNoDomainExitValue);
        halt_forever();
    }
    schedule();
}
