// Guest user mode for test kernels. The x86-64 PV guest runs its kernel
// and its user mode both in ring 3, each on its own top-level table: this
// builds a user L4 (MMUEXT_NEW_USER_BASEPTR) that shares the kernel
// image's L3 (slot 511, so user code can be a function of the kernel) and
// adds one page only user mode sees, at kUserPage. User code enters the
// kernel with 'syscall', which the hypervisor bounces to the kernel's
// syscall callback on the stack_switch stack; the callback calls the
// kernel's handler and returns with the iret hypercall (VGCF_in_syscall).
#pragma once

#include <stdint.h>

namespace guest {

inline constexpr uint64_t kUserPage = 0x400000;  // the user-only page (L4/L3 slot 0, L2 slot 2)
inline constexpr uint64_t kSysExit = 60;         // leaves user mode: run_user_mode returns its argument

// The kernel's handler of user system calls (in kernel mode, on the syscall
// stack): the result goes back to user mode in RAX.
using SyscallHandler = uint64_t (*)(uint64_t nr, uint64_t arg);

// Builds the user tables from spare frames first_spare .. first_spare+4
// (see mm.hpp), pins and installs them, registers the syscall callback
// (events masked) and the syscall stack. The user page starts zeroed.
// Returns 0 or the first failing hypercall's answer. Needs mm_init.
long usermode_init(unsigned first_spare, SyscallHandler handler);
// Runs fn in user mode (events masked, RSP at the top of the user page)
// until it calls kSysExit (fn must not return); returns that call's
// argument.
uint64_t run_user_mode(void (*fn)());

// From user mode: one system call.
inline uint64_t user_syscall(uint64_t nr, uint64_t arg)
{
    uint64_t ret;
    asm volatile("syscall" : "=a"(ret), "+D"(arg) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

}  // namespace guest
