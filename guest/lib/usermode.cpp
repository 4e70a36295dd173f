#include "guest/lib/usermode.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/callback.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/hypercall.hpp"
#include "guest/lib/mm.hpp"

extern "C" {
uint64_t guest_user_kernel_rsp;  // run_user_mode's stack while user code runs
guest::SyscallHandler guest_user_handler;
uint64_t guest_user_enter(uint64_t rip, uint64_t rsp);
void guest_user_syscall_entry();
alignas(16) uint8_t guest_user_syscall_stack[8192];
}

// guest_user_enter(rip, rsp): keeps the callee-saved registers and the
// stack pointer, then irets to user mode (FLAT_USER_CS/SS, events masked).
// The syscall callback, with [RCX R11 RIP CS RFLAGS RSP SS] on the syscall
// stack: RCX and R11 are the user's return RIP and RFLAGS (sysret semantics:
// the iret with VGCF_in_syscall restores them from the frame), the
// registers a system call preserves are kept around the handler. kSysExit
// instead goes back to guest_user_enter's caller with the argument.
asm(R"(.pushsection .text
.globl guest_user_enter
guest_user_enter:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, guest_user_kernel_rsp(%rip)
    push $0xe02b
    push %rsi
    push $0x2
    push $0xe033
    push %rdi
    push $0
    jmp guest_iret

.globl guest_user_syscall_entry
guest_user_syscall_entry:
    pop %rcx
    pop %r11
    cmp $60, %rax
    je 1f
    push %rdi
    push %rsi
    push %rdx
    push %r8
    push %r9
    push %r10
    sub $8, %rsp
    mov %rdi, %rsi
    mov %rax, %rdi
    call *guest_user_handler(%rip)
    add $8, %rsp
    pop %r10
    pop %r9
    pop %r8
    pop %rdx
    pop %rsi
    pop %rdi
    push $0x100
    jmp guest_iret
1:  mov %rdi, %rax
    mov guest_user_kernel_rsp(%rip), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
.popsection
)");

static_assert(xen::VGCF_in_syscall == 0x100 && guest::kSysExit == 60, "the numbers in the assembly above");

namespace guest {

long usermode_init(unsigned first_spare, SyscallHandler handler)
{
    guest_user_handler = handler;
    uint64_t l4 = spare_mfn(first_spare), l3 = spare_mfn(first_spare + 1), l2 = spare_mfn(first_spare + 2),
             l1 = spare_mfn(first_spare + 3), page = spare_mfn(first_spare + 4);
    const uint64_t kernel_slot = reinterpret_cast<const uint64_t*>(boot_window().l4_va)[511];
    const unsigned i0 = 0, i_l2 = (kUserPage >> 21) & 511, i_l1 = (kUserPage >> 12) & 511;
    const unsigned l4_index[2] = {0, 511};
    const uint64_t l4_entries[2] = {(l3 << 12) | kPteData, kernel_slot};
    const uint64_t l3_entry = (l2 << 12) | kPteData, l2_entry = (l1 << 12) | kPteData,
                   l1_entry = (page << 12) | kPteData;
    long r;
    if ((r = clear_frame(page)) || (r = fill_frame(l1, &i_l1, &l1_entry, 1)) ||
        (r = fill_frame(l2, &i_l2, &l2_entry, 1)) || (r = fill_frame(l3, &i0, &l3_entry, 1)) ||
        (r = fill_frame(l4, l4_index, l4_entries, 2)))
        return r;
    if ((r = mmuext(xen::MMUEXT_PIN_L4_TABLE, l4)) || (r = mmuext(xen::MMUEXT_NEW_USER_BASEPTR, l4)))
        return r;
    if ((r = hypercall(xen::HYPERVISOR_stack_switch, xen::FLAT_KERNEL_SS,
                       reinterpret_cast<uint64_t>(guest_user_syscall_stack + sizeof guest_user_syscall_stack))))
        return r;
    xen::callback_register cb{xen::CALLBACKTYPE_syscall, xen::CALLBACKF_mask_events, 0,
                              reinterpret_cast<uint64_t>(guest_user_syscall_entry)};
    return hypercall(xen::HYPERVISOR_callback_op, xen::CALLBACKOP_register, ptr(&cb));
}

uint64_t run_user_mode(void (*fn)())
{
    // As if called: a function starts with RSP 8 below a 16-byte boundary.
    return guest_user_enter(reinterpret_cast<uint64_t>(fn), kUserPage + 4096 - 8);
}

}  // namespace guest
