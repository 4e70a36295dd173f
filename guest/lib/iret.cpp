// guest_iret: the iret hypercall, through the hypercall page or with a raw
// syscall. Jumped to (not called) with the iret frame on the stack, minus
// the RAX, R11 and RCX it pushes itself: [flags] RIP CS RFLAGS RSP SS.
#ifdef VIREO_HYPERCALL_PAGE
asm(".pushsection .text\n.globl guest_iret\nguest_iret:\n jmp hypercall_page + 23 * 32\n.popsection\n");
#else
asm(".pushsection .text\n.globl guest_iret\nguest_iret:\n push %rcx\n push %r11\n push %rax\n"
    " mov $23, %eax\n syscall\n.popsection\n");
#endif
