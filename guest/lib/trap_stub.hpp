// An exception entry for a test kernel's trap table. The hypervisor's
// bounce frame starts with RCX and R11; the stub pops them, saves the
// caller-saved registers and calls handler(frame, vector, has_error) with
// frame = [error] RIP CS RFLAGS RSP SS, then returns to that frame (as the
// handler may have changed it) through the iret hypercall (guest_iret).
#pragma once

#define GUEST_TRAP_STUB(name, vec, err, handler)                                                         \
    asm(".pushsection .text\n" #name ":\n"                                                               \
        "pop %rcx\n pop %r11\n"                                                                          \
        "push %rax\n push %rcx\n push %rdx\n push %rsi\n push %rdi\n push %r8\n push %r9\n push %r10\n" \
        "push %r11\n"                                                                                    \
        "lea 72(%rsp), %rdi\n mov $" #vec ", %esi\n mov $" #err ", %edx\n"                               \
        "sub $8, %rsp\n call " #handler "\n add $8, %rsp\n"                                              \
        "pop %r11\n pop %r10\n pop %r9\n pop %r8\n pop %rdi\n pop %rsi\n pop %rdx\n pop %rcx\n"          \
        "pop %rax\n"                                                                                     \
        ".if " #err "\n add $8, %rsp\n .endif\n"                                                         \
        "push $0\n jmp guest_iret\n"                                                                     \
        ".popsection\n");                                                                                \
    extern "C" char name[];
