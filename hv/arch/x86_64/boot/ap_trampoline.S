/*
 * Start-up code of the secondary CPUs. The boot CPU copies it to
 * AP_TRAMPOLINE (a page below 1 MiB) and fills in the slots at its end; a
 * CPU woken by INIT-SIPI-SIPI starts here in real mode at AP_TRAMPOLINE,
 * goes through protected mode into long mode on the boot page tables
 * (identity-mapped low memory and the image window), and jumps to ap_entry
 * on its own stack with its CPU index in %edi.
 */
#define AP_TRAMPOLINE 0x7000
#define ABS(x) (AP_TRAMPOLINE + ((x) - ap_trampoline_start))

        .section .rodata, "a"
        .balign 16
        .globl ap_trampoline_start, ap_trampoline_end
        .globl ap_slot_cr3, ap_slot_stack, ap_slot_entry, ap_slot_cpu
ap_trampoline_start:
        .code16
        cli
        cld
        xor     %ax, %ax
        mov     %ax, %ds
        lgdtl   ABS(ap_gdt_desc)
        mov     %cr0, %eax
        or      $1, %eax
        mov     %eax, %cr0
        ljmpl   $0x08, $ABS(ap_protected)

        .code32
ap_protected:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     %cr4, %eax
        or      $0x20, %eax                /* PAE */
        mov     %eax, %cr4
        mov     ABS(ap_slot_cr3), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx
        rdmsr
        or      $0x900, %eax               /* LME, NXE */
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax          /* PG, WP, PE */
        mov     %eax, %cr0
        ljmp    $0x18, $ABS(ap_long)

        .code64
ap_long:
        mov     ABS(ap_slot_stack), %rsp
        mov     ABS(ap_slot_cpu), %edi
        mov     ABS(ap_slot_entry), %rax
        jmp     *%rax

        .balign 8
ap_gdt:
        .quad 0
        .quad 0x00cf9a000000ffff           /* 0x08: 32-bit code */
        .quad 0x00cf92000000ffff           /* 0x10: data */
        .quad 0x00af9a000000ffff           /* 0x18: 64-bit code */
ap_gdt_end:
ap_gdt_desc:
        .short ap_gdt_end - ap_gdt - 1
        .long ABS(ap_gdt)

        .balign 8
ap_slot_cr3:    .quad 0
ap_slot_stack:  .quad 0
ap_slot_entry:  .quad 0
ap_slot_cpu:    .quad 0
ap_trampoline_end:
