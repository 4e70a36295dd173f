// What the portable core needs from the machine, as a table of operations
// the arch layer fills in at boot (and unit tests fill with fakes). This is
// the only way core code reaches hardware or guest memory.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

struct Vcpu;
struct Domain;

struct Platform {
    // Copies between hypervisor memory and the current vCPU's guest virtual
    // addresses. They refuse addresses outside guest space and return
    // Status::FAULT when the guest's page tables do not map the range.
    Status (*copy_from_guest)(void* dst, uint64_t guest_va, size_t n);
    Status (*copy_to_guest)(uint64_t guest_va, const void* src, size_t n);
    // The serial console: dom0's output and input.
    void (*console_write)(const char* s, size_t n);
    size_t (*console_read)(char* buf, size_t n);
    // The machine itself. power_off's value becomes QEMU's exit status
    // (value << 1 | 1) under isa-debug-exit.
    void (*power_off)(uint8_t exit_value);  // does not return
    void (*reboot)();  // does not return
    uint64_t (*now_ns)();
    // A hypervisor machine address as a hypervisor pointer (direct map).
    void* (*map_machine)(uint64_t paddr);
    // Where the hypervisor maps all machine memory, if it does (null in the
    // hosted tests): map_machine_memory() then adds instead of calling.
    uint8_t* direct_map = nullptr;
    // The machine-to-phys table every guest reads.
    void (*m2p_set)(uint64_t mfn, uint64_t pfn);
    // Copies the hypervisor's own L4 slots into a guest L4.
    void (*fill_hypervisor_slots)(uint64_t* l4);
    // The current vCPU's segment bases and mode, applied to the CPU now.
    void (*set_fs_base)(uint64_t base);
    void (*set_active_gs_base)(uint64_t base);
    // After v.in_kernel_mode changed: load its page tables and GS base.
    void (*load_guest_mode)(const Vcpu& v);
    void (*set_fpu_ts)(bool set);
    uint64_t (*read_cr0)();
    // Real port I/O (1, 2 or 4 bytes), for privileged domains' emulated in/out.
    uint32_t (*port_in)(uint16_t port, unsigned bytes);
    void (*port_out)(uint16_t port, unsigned bytes, uint32_t value);
    // The first machine frame number beyond what the CPU can address:
    // device memory a privileged domain may map lies below it.
    uint64_t max_device_mfn;
    // The hypervisor's build id (the linker's SHA-1 of the image).
    const uint8_t* build_id;
    uint32_t build_id_len;
    // Time: the TSC, its rate, the TSC value at system time 0 and the wall
    // clock (seconds since 1970) then. System time is derived from the TSC
    // by the same scale guests get (system_time_ns), so the hypervisor and
    // its guests agree to the nanosecond. timers_changed asks the arch to
    // reprogram its timer after a vCPU timer was set.
    uint64_t (*read_tsc)();
    uint64_t tsc_hz;
    uint64_t tsc_at_zero;
    uint64_t boot_wallclock_sec;
    void (*timers_changed)();
    // A vCPU timer set by a domain-local hypercall (hypercall.hpp), due
    // at deadline_ns, in the future: this CPU's timer fires by then (its
    // handler finds the vCPU timer), without the scan of every vCPU timer
    // timers_changed makes. Null in hosted tests.
    void (*timer_arm_here)(uint64_t deadline_ns);
    // Scheduling: the vCPU on this CPU (null when idle), and a request to
    // run the scheduler before returning to any guest.
    Vcpu* (*running_vcpu)();
    void (*request_resched)();
    // Several CPUs (null in hosted tests: one CPU): this CPU's index, how
    // many run, the vCPU each runs (null: idle), and a request that CPU
    // `cpu` reschedule and deliver events soon (an IPI when remote).
    // Something else wants this CPU (a reschedule is pending) or the
    // hypervisor lock it holds (another CPU waits): a long hypercall stops
    // at its next preemption point. Null in hosted tests
    // (then it stops at every point).
    bool (*preempt_pending)();
    unsigned (*current_cpu)();
    unsigned (*nr_cpus)();
    // The APIC id of CPU `cpu` (null in hosted tests: the index).
    uint32_t (*cpu_apic_id)(unsigned cpu);
    Vcpu* (*running_vcpu_on)(unsigned cpu);
    void (*kick_cpu)(unsigned cpu);
    // The real CPUID (filtered by the core before a guest sees it).
    void (*cpuid)(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
    // TLB maintenance for the current address space.
    void (*flush_tlb_local)();
    void (*invlpg_local)(uint64_t va);
    // Flushes this CPU's TLB and those of the CPUs whose loaded page
    // tables are d's (a mapping d had may be gone). Null in hosted tests.
    void (*flush_tlb_domain)(const Domain* d);
    // set_debugreg changed v's breakpoints: if v runs on this CPU, load
    // them now. Null in hosted tests.
    void (*debugregs_changed)(const Vcpu& v);
    // The running vCPU's GDT changed (set_gdt, update_descriptor): copy
    // its descriptors into this CPU's GDT again. Null in hosted tests.
    void (*reload_guest_gdt)();
    // Physical interrupt lines (IO-APIC inputs, by GSI) for the hardware
    // domain's devices: route a line to the hypervisor with its trigger
    // mode and polarity (left masked), mask or unmask it, and read an
    // IO-APIC register for dom0 (false: no IO-APIC there). Null in hosted
    // tests.
    void (*irq_line_program)(unsigned gsi, bool level, bool active_low);
    void (*irq_line_mask)(unsigned gsi, bool masked);
    bool (*ioapic_read)(uint64_t physbase, uint32_t reg, uint32_t* value);
    // PCI configuration space through the type-1 ports: cf8 is the
    // configuration address (enable bit, bus, device, function, dword),
    // offset the byte within that dword; the address and data accesses
    // happen as one, so they cannot interleave with another's.
    uint32_t (*pci_config_read)(uint32_t cf8, unsigned offset, unsigned bytes);
    void (*pci_config_write)(uint32_t cf8, unsigned offset, unsigned bytes, uint32_t value);
    // Message-signalled interrupts (pci_msi.hpp): the message that raises
    // interrupt source `source`, and a 32-bit store into an MSI-X table
    // entry of that source's device (device memory at paddr).
    void (*msi_message)(unsigned source, uint64_t* address, uint32_t* data);
    void (*msix_write)(unsigned source, uint64_t paddr, uint32_t value);
    // The running vCPU's LDT changed (ldt.hpp): copy it into this CPU's
    // LDT again. Null in hosted tests.
    void (*reload_guest_ldt)();
    // destroydomain: whether nothing of d is in use on any CPU (none runs
    // one of its vCPUs or has its tables loaded; no per-CPU state points
    // into it any more), so it may be taken apart. CPUs still using it are
    // asked to let go, and the caller tries again later. Null in hosted
    // tests (one CPU, which is the caller's).
    bool (*domain_off_cpus)(Domain& d);
};

void platform_install(const Platform& ops);
// Inline: every guest entry calls through it, and an out-of-line call
// would put one more code page on the fast paths (hot_path.hpp).
extern Platform g_platform;
inline const Platform& platform() { return g_platform; }

// A machine address as the hypervisor reaches it. Inline and without a
// call when there is a direct map: every hypercall maps guest frames
// (vcpu_info, shared_info, page tables), and under TCG an indirect call and
// its return each cost a translation-block lookup.
inline void* map_machine_memory(uint64_t paddr)
{
    return g_platform.direct_map ? g_platform.direct_map + paddr : g_platform.map_machine(paddr);
}

// At a hypercall's preemption point: stop now and continue later? As Xen's
// hypercall_preempt_check: only when something else is waiting.
inline bool hypercall_should_yield()
{
    const Platform& p = platform();
    return !p.preempt_pending || p.preempt_pending();
}

}  // namespace vireo
