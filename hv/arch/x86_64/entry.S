/*
 * Entry and exit paths between guests (ring 3) and the hypervisor (ring 0).
 * Every path builds a TrapFrame (trap_frame.hpp) on the CPU's stack and calls
 * C++; every return to a guest goes through return_to_guest, which picks
 * sysretq only when it is safe and iretq otherwise.
 */
#define FRAME_VECTOR (15 * 8)
#define FRAME_CS (18 * 8)
#define PERCPU_STACK_TOP 8
#define PERCPU_SCRATCH 16

.macro PUSH_GPRS
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
.endm

.macro POP_GPRS
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
.endm

/* SMAP: a guest's RFLAGS.AC must never reach hypervisor code. The sites are
 * recorded so that boot can turn them into NOPs on CPUs without SMAP. */
.macro CLAC
0:      .byte 0x0f, 0x01, 0xca
        .pushsection .clac_sites, "a"
        .quad 0b
        .popsection
.endm

        /* The guest's fast paths (hv/core/hot_path.hpp). */
        .section .text.hot, "ax"

/* Exceptions and interrupts that arrive on the normal stack. */
.macro TRAP_ENTRY vector, has_error
        .globl trap_entry_\vector
trap_entry_\vector:
        .if \has_error == 0
        pushq   $0
        .endif
        pushq   $\vector
        jmp     trap_common
.endm

/* NMI, #DF and #MC arrive on IST stacks at any moment, possibly between a
 * syscall and its swapgs: load GS from the PerCpu pointer at the IST top and
 * put the interrupted GS back on the way out. */
.macro PARANOID_ENTRY vector, has_error
        .globl trap_entry_\vector
trap_entry_\vector:
        .if \has_error == 0
        pushq   $0
        .endif
        pushq   $\vector
        jmp     paranoid_common
.endm

trap_common:
        CLAC
        testb   $3, 24(%rsp)            /* CS of the interrupted context */
        jz      1f
        swapgs
1:      cld
        PUSH_GPRS
        mov     %rsp, %rdi
        xor     %ebp, %ebp
        call    handle_trap
        testb   $3, FRAME_CS(%rsp)
        jnz     return_to_guest
        POP_GPRS
        add     $16, %rsp
        iretq

paranoid_common:
        CLAC
        cld
        PUSH_GPRS
        /* Save the interrupted GS base (in %r12:%r13), load ours. */
        mov     $0xc0000101, %ecx
        rdmsr
        mov     %eax, %r12d
        mov     %edx, %r13d
        /* The IST top (16 bytes above the hardware frame) holds PerCpu*. */
        lea     (22 * 8)(%rsp), %rax
        add     $15, %rax
        and     $~15, %rax
        mov     (%rax), %rax
        mov     %rax, %rdx
        shr     $32, %rdx
        wrmsr
        mov     %rsp, %rdi
        xor     %ebp, %ebp
        call    handle_trap
        mov     $0xc0000101, %ecx
        mov     %r12d, %eax
        mov     %r13d, %edx
        wrmsr
        POP_GPRS
        add     $16, %rsp
        iretq

/* syscall from ring 3: a hypercall from guest kernel mode, or a guest
 * user-mode system call to be bounced to the guest kernel. RFLAGS.IF/AC/TF/DF
 * are already clear (SFMASK). */
        .globl syscall_entry
syscall_entry:
        swapgs
        mov     %rsp, %gs:PERCPU_SCRATCH
        mov     %gs:PERCPU_STACK_TOP, %rsp
        pushq   $0xe02b                 /* guest SS */
        pushq   %gs:PERCPU_SCRATCH      /* guest RSP */
        pushq   %r11                    /* guest RFLAGS */
        pushq   $0xe033                 /* guest CS */
        pushq   %rcx                    /* guest RIP */
        pushq   $0
        pushq   $0x100                  /* kSyscallVector */
        cld
        PUSH_GPRS
        mov     %rsp, %rdi
        xor     %ebp, %ebp
        call    handle_syscall
        jmp     return_to_guest

/* Leave for the guest whose frame is at %rsp. sysretq is only used to return
 * to 64-bit guest code at a canonical RIP with sane flags: sysretq with a
 * non-canonical RCX faults in ring 0 on the guest's stack on Intel CPUs. */
        .globl return_to_guest
return_to_guest:
        cli
        /* Scheduling and event delivery; may not come back (a switch). */
        mov     %rsp, %rdi
        xor     %ebp, %ebp
        call    exit_to_guest
        /* Only a syscall return may clobber the guest's RCX and R11. */
        cmpq    $0x100, FRAME_VECTOR(%rsp)
        jne     .Liret
        cmpq    $0xe033, FRAME_CS(%rsp)
        jne     .Liret
        mov     (17 * 8)(%rsp), %rax    /* RIP */
        mov     %rax, %rcx
        sar     $47, %rcx
        jz      1f
        inc     %rcx
        jnz     .Liret                   /* not canonical */
1:      mov     (19 * 8)(%rsp), %rax    /* RFLAGS: RF, TF, NT, VM need iret */
        test    $0x24100, %rax
        jnz     .Liret
        POP_GPRS
        mov     16(%rsp), %rcx          /* RIP */
        mov     32(%rsp), %r11          /* RFLAGS */
        mov     40(%rsp), %rsp          /* guest RSP */
        swapgs
        sysretq
.Liret:
        POP_GPRS
        add     $16, %rsp
        swapgs
        iretq

        .globl enter_guest_first_time
/* void enter_guest_first_time(TrapFrame* frame): frame is at the stack top. */
enter_guest_first_time:
        mov     %rdi, %rsp
        jmp     return_to_guest

TRAP_ENTRY 0, 0
TRAP_ENTRY 1, 0
PARANOID_ENTRY 2, 0
TRAP_ENTRY 3, 0
TRAP_ENTRY 4, 0
TRAP_ENTRY 5, 0
TRAP_ENTRY 6, 0
TRAP_ENTRY 7, 0
PARANOID_ENTRY 8, 1
TRAP_ENTRY 9, 0
TRAP_ENTRY 10, 1
TRAP_ENTRY 11, 1
TRAP_ENTRY 12, 1
TRAP_ENTRY 13, 1
TRAP_ENTRY 14, 1
TRAP_ENTRY 15, 0
TRAP_ENTRY 16, 0
TRAP_ENTRY 17, 1
PARANOID_ENTRY 18, 0
TRAP_ENTRY 19, 0
TRAP_ENTRY 20, 0
TRAP_ENTRY 21, 1
.irp v, 22,23,24,25,26,27,28,29,30,31
TRAP_ENTRY \v, 0
.endr
/* Interrupt vectors 32-255: one stub each. */
.altmacro
.macro IRQ_STUBS from, to
        TRAP_ENTRY %from, 0
        .if \to-\from
        IRQ_STUBS %(\from+1), \to
        .endif
.endm
IRQ_STUBS 32, 100
IRQ_STUBS 101, 180
IRQ_STUBS 181, 255
.noaltmacro

        .section .rodata, "a"
        .balign 8
        .globl trap_entry_table
trap_entry_table:
.altmacro
.macro ENTRY_PTRS from, to
        .quad trap_entry_\from
        .if \to-\from
        ENTRY_PTRS %(\from+1), \to
        .endif
.endm
ENTRY_PTRS 0, 100
ENTRY_PTRS 101, 180
ENTRY_PTRS 181, 255
.noaltmacro
