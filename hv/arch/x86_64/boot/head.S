/*
 * First instructions: multiboot1 (QEMU -kernel) and multiboot2 (GRUB) entry
 * in 32-bit protected mode, paging off, at the physical load address.
 * We build boot page tables (identity 0-4 GiB, the same 4 GiB at the direct
 * map, the first GiB again at the image window), enter long mode, jump to
 * the image's link address and call arch_boot(magic, info).
 *
 * The image is linked at kImageBase + physical address, so in 32-bit code a
 * symbol's physical address is (symbol - IMAGE_BASE).
 */
#define IMAGE_BASE 0xffff82d080000000
#define PHYS(x) ((x) - IMAGE_BASE)

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000003 /* page-align modules, give memory info */
#define MB2_MAGIC 0xe85250d6

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_PS 0x080

        .section .text.boot, "ax"
        .code32

        .balign 8
multiboot1_header:
        .long MB1_MAGIC
        .long MB1_FLAGS
        .long -(MB1_MAGIC + MB1_FLAGS)

        .balign 8
multiboot2_header:
        .long MB2_MAGIC
        .long 0                                   /* i386 protected mode */
        .long multiboot2_header_end - multiboot2_header
        .long -(MB2_MAGIC + (multiboot2_header_end - multiboot2_header))
        /* module alignment tag: modules page aligned */
        .short 6, 0
        .long 8
        /* end tag */
        .short 0, 0
        .long 8
multiboot2_header_end:

        .globl start32
start32:
        cli
        cld
        /* %eax = bootloader magic, %ebx = physical address of its info. */
        mov     %eax, %edi
        mov     %ebx, %esi
        mov     $PHYS(boot_stack_top), %esp

        /* Long mode needs CPUID leaf 0x80000001 EDX.LM. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      no_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     no_long_mode

        /* Four page directories of 2 MiB pages: machine 0-4 GiB. */
        mov     $PHYS(boot_pd), %edx
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $(PTE_P | PTE_W | PTE_PS), %eax
        mov     %eax, (%edx, %ecx, 8)
        mov     %ecx, %eax
        shr     $11, %eax                    /* bits 32+ of (ecx << 21) */
        mov     %eax, 4(%edx, %ecx, 8)
        inc     %ecx
        cmp     $2048, %ecx
        jne     1b

        /* Low PDPT: 4 entries -> the 4 directories. */
        mov     $PHYS(boot_pdpt_low), %edx
        mov     $PHYS(boot_pd), %eax
        or      $(PTE_P | PTE_W), %eax
        mov     %eax, 0(%edx)
        add     $4096, %eax
        mov     %eax, 8(%edx)
        add     $4096, %eax
        mov     %eax, 16(%edx)
        add     $4096, %eax
        mov     %eax, 24(%edx)

        /* Image PDPT: entry for the image window -> the first directory. */
        mov     $PHYS(boot_pdpt_image), %edx
        mov     $PHYS(boot_pd), %eax
        or      $(PTE_P | PTE_W), %eax
        mov     %eax, (((IMAGE_BASE >> 30) & 511) * 8)(%edx)

        /* PML4: identity, direct map and image window. */
        mov     $PHYS(boot_pml4), %edx
        mov     $PHYS(boot_pdpt_low), %eax
        or      $(PTE_P | PTE_W), %eax
        mov     %eax, 0(%edx)
        mov     %eax, (262 * 8)(%edx)               /* kDirectMapBase */
        mov     $PHYS(boot_pdpt_image), %eax
        or      $(PTE_P | PTE_W), %eax
        mov     %eax, (((IMAGE_BASE >> 39) & 511) * 8)(%edx)

        /* CR4.PAE, CR3, EFER.LME|NXE, CR0.PG|WP. */
        mov     %cr4, %eax
        or      $0x20, %eax
        mov     %eax, %cr4
        mov     $PHYS(boot_pml4), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx
        rdmsr
        or      $0x900, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax
        mov     %eax, %cr0

        lgdt    PHYS(boot_gdt_desc)
        ljmp    $0x08, $PHYS(start64_low)

no_long_mode:
        /* Say so on COM1 and stop: nothing else can run. */
        mov     $PHYS(no_lm_msg), %esi
2:      lodsb
        test    %al, %al
        jz      3f
        mov     $0x3f8, %dx
        out     %al, %dx
        jmp     2b
3:      hlt
        jmp     3b

        .code64
start64_low:
        movabs  $start64_high, %rax
        jmp     *%rax

        .section .text, "ax"
start64_high:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        lea     boot_stack_top(%rip), %rsp
        xor     %ebp, %ebp
        /* arch_boot(magic = %edi, info = %esi): already in place. */
        call    arch_boot
4:      hlt
        jmp     4b

        .section .rodata.boot, "a"
no_lm_msg:
        .asciz  "vireo: this CPU has no long mode; halting\r\n"

        .balign 8
boot_gdt:
        .quad 0
        .quad 0x00af9a000000ffff   /* 0x08: 64-bit code, ring 0 */
        .quad 0x00cf92000000ffff   /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_desc:
        .short boot_gdt_end - boot_gdt - 1
        .long PHYS(boot_gdt)

        .section .bss.boot, "aw", @nobits
        .balign 4096
        .globl boot_pml4
boot_pml4:       .skip 4096
boot_pdpt_low:   .skip 4096
boot_pdpt_image: .skip 4096
boot_pd:         .skip 4 * 4096
        .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
        .skip 16384
boot_stack_top:
