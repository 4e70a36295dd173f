/* Xen ELF notes: how a Xen-compatible builder loads this kernel. The same
 * binary boots on Vireo and on Xen. */
#define VIRT_BASE 0xffffffff80000000

.macro NOTE_BEGIN type
        .pushsection .note.Xen, "a", @note
        .p2align 2
        .long 4
        .long 2f - 1f
        .long \type
        .asciz "Xen"
        .p2align 2
1:
.endm
.macro NOTE_END
2:      .p2align 2
        .popsection
.endm
/* Quoted strings lose their quotes as macro arguments: put them back. */
.macro NOTE_STR type, value
        NOTE_BEGIN \type
        .asciz "\value"
        NOTE_END
.endm
.macro NOTE_QUAD type, value
        NOTE_BEGIN \type
        .quad \value
        NOTE_END
.endm
.macro NOTE_LONG type, value
        NOTE_BEGIN \type
        .long \value
        NOTE_END
.endm

NOTE_STR 6, "vireo-test"                    /* GUEST_OS */
NOTE_STR 7, "1"                             /* GUEST_VERSION */
NOTE_STR 5, "xen-3.0"                       /* XEN_VERSION */
NOTE_STR 8, "generic"                       /* LOADER */
NOTE_QUAD 3, VIRT_BASE                        /* VIRT_BASE */
NOTE_QUAD 4, VIRT_BASE                        /* PADDR_OFFSET: ELF paddr == vaddr */
NOTE_QUAD 1, _start                           /* ENTRY */
NOTE_STR 10, "!writable_page_tables|pae_pgdir_above_4gb"  /* FEATURES */
NOTE_LONG 17, (1 << 11)                       /* SUPPORTED_FEATURES: dom0 */
NOTE_STR 9, "yes"                           /* PAE_MODE */
#ifdef VIREO_HYPERCALL_PAGE
NOTE_QUAD 2, hypercall_page                   /* HYPERCALL_PAGE */

        .section .text.hypercall_page, "ax"
        .balign 4096
        .globl hypercall_page
hypercall_page:
        .fill 4096, 1, 0xcc
#endif
