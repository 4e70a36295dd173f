// Exceptions and interrupts: those raised by hypervisor code are fixed up
// (guest-memory accessors) or fatal; those raised by a guest go to the
// guest-fault code; interrupts go to their handlers.
#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/big_lock.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/debugregs.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/trap_frame.hpp"
#include "hv/arch/x86_64/traps.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/log.hpp"

extern "C" const vireo::arch::ExceptionFixup __ex_table_start[], __ex_table_end[];

namespace vireo::arch {
namespace {

const char* const kExceptionNames[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
    "device not available", "double fault", "coprocessor overrun", "invalid TSS",
    "segment not present", "stack fault", "general protection", "page fault", "reserved",
    "x87 error", "alignment check", "machine check", "SIMD error", "virtualization",
    "control protection", "reserved", "reserved", "reserved", "reserved", "reserved",
    "reserved", "reserved", "reserved", "reserved", "reserved",
};

InterruptHandler g_irq_handlers[256];
GuestTrapHandler g_guest_trap_handler;

bool apply_fixup(TrapFrame* frame)
{
    for (const ExceptionFixup* f = __ex_table_start; f < __ex_table_end; ++f) {
        if (f->insn == frame->rip) {
            frame->rip = f->fixup;
            return true;
        }
    }
    return false;
}

}  // namespace

void set_interrupt_handler(uint8_t vector, InterruptHandler handler) { g_irq_handlers[vector] = handler; }
void set_guest_trap_handler(GuestTrapHandler handler) { g_guest_trap_handler = handler; }

void handle_trap_locked(TrapFrame* frame);

extern "C" VIREO_HOT void handle_trap(TrapFrame* frame)
{
    uint64_t vector = frame->vector;
    if (vector == kShootdownVector || vector == kLockWakeVector) {
        // Answered before taking the lock: a shootdown's sender holds it
        // and waits; a wake-up only ends a halt inside big_lock.
        tlb_shootdown_service();
        apic_eoi();
        // The way back to a guest goes through the exit path, which
        // drops the lock: take it (the sender is no longer waiting).
        // Shared is enough: the exit path takes it whole if it has work.
        if (frame->from_guest())
            (void)big_lock_shared();
        return;
    }
    // From a guest or from idle this CPU does not hold the lock yet; a
    // fault inside the hypervisor (a guest access with a fixup) does.
    // The wait only spins: an interrupt in service would hold back the
    // wake-up IPI, and one taken during a halt could change CR2 and DR6
    // before the fault handler reads them.
    bool locked_here = !big_lock_held_here();
    if (locked_here)
        big_lock(false);
    handle_trap_locked(frame);
    // Back to a guest: the exit path drops the lock.
    if (locked_here && !frame->from_guest())
        big_unlock();
}

VIREO_HOT void handle_trap_locked(TrapFrame* frame)
{
    uint64_t vector = frame->vector;
    if (vector >= kFirstIrqVector) {
        if (g_irq_handlers[vector])
            g_irq_handlers[vector](frame);
        return;
    }
    if (vector == kNmi || vector == kMachineCheck || vector == kDoubleFault)
        panic_with_frame(frame, "%s", kExceptionNames[vector]);
    if (vector == kDebug && !debug_exception(frame))
        return;  // a guest's breakpoint hit by the hypervisor: ignored
    if (frame->from_guest()) {
        if (g_guest_trap_handler) {
            g_guest_trap_handler(frame);
            return;
        }
        panic_with_frame(frame, "guest %s with no guest trap handler", kExceptionNames[vector]);
    }
    if (apply_fixup(frame))
        return;
    if (vector == kPageFault)
        panic_with_frame(frame, "page fault in the hypervisor at %016lx (error %lx)", Cr::read2(),
                         frame->error_code);
    panic_with_frame(frame, "%s in the hypervisor", kExceptionNames[vector]);
}

}  // namespace vireo::arch
