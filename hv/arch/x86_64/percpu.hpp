// Per-physical-CPU state. While the hypervisor runs, GS_BASE points at the
// CPU's PerCpu; while a guest runs, the guest's GS base is loaded and ours
// waits in KERNEL_GS_BASE, so every entry from ring 3 starts with swapgs.
// Entries that can interrupt anything (NMI, #MC, #DF) take the PerCpu pointer
// from the top of their IST stack instead.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo::arch {

inline constexpr unsigned kMaxCpus = 8;
inline constexpr size_t kStackSize = 32 * 1024;
inline constexpr size_t kIstStackSize = 8 * 1024;

// IST slots (1-based, as in the IDT gate).
inline constexpr unsigned kIstNmi = 1;
inline constexpr unsigned kIstDoubleFault = 2;
inline constexpr unsigned kIstMachineCheck = 3;

struct PerCpu {
    PerCpu* self;            // 0: %gs:0 gives the pointer itself
    uint64_t stack_top;      // 8: loaded on syscall entry
    uint64_t scratch_rsp;    // 16: the guest's RSP during syscall entry
    uint32_t cpu_index;      // 24
    uint32_t apic_id;        // 28
    void* current_vcpu;      // 32: the vCPU whose frame is at stack_top
    uint64_t tsc_khz;        // 40
    // Scheduling: the running vCPU's time slice ends at slice_end_ns; the
    // tick sets need_resched when it has, and the exit path acts on it.
    uint64_t slice_end_ns;
    bool need_resched;
    uint64_t address_space_switches;  // CR3 loads by the scheduler
    // Whose guest descriptors the GDT holds (see gdt_load_guest).
    const void* gdt_vcpu;
    uint64_t gdt_generation;
    unsigned gdt_guest_entries;
    // Whose FPU state the registers hold (fpu.cpp).
    const void* fpu_vcpu;
    // Whose data segment selectors DS/ES/FS/GS hold (segments.cpp).
    const void* segments_vcpu;
    // DR0-DR3/DR7 hold some vCPU's breakpoints (debugregs.cpp).
    bool debugregs_live;
    // The domain whose page tables CR3 holds (shootdowns), and a shootdown
    // asked of this CPU (tlb_shootdown.cpp).
    const void* loaded_domain;
    bool flush_pending;
    // Timer (tick.cpp): the deadline the LAPIC timer is armed for.
    uint64_t armed_ns;
    // User page tables the running vCPU returns to, loaded only at the end
    // of the way out (load_guest_mode): 0 when CR3 is already right.
    uint64_t deferred_cr3;
    // This CPU holds the hypervisor lock shared (a domain-local hypercall,
    // big_lock.cpp): read by the exit path without a call.
    bool lock_shared;
};
static_assert(offsetof(PerCpu, stack_top) == 8);
static_assert(offsetof(PerCpu, scratch_rsp) == 16);
static_assert(offsetof(PerCpu, current_vcpu) == 32);

inline PerCpu* this_cpu()
{
    PerCpu* p;
    asm volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

PerCpu& cpu_data(unsigned index);
unsigned cpus_online();
// A CPU finished its start-up (the count only grows).
void cpu_mark_online(unsigned index);

}  // namespace vireo::arch
