/*
 * Raw copies to and from guest virtual memory. The guest maps its pages as
 * user pages, so SMAP must be lifted (stac) for exactly the copy. A fault in
 * the copy resumes at the fixup, which reports how many bytes were left.
 * uint64_t guest_copy_raw(void* dst, const void* src, uint64_t n): bytes NOT copied.
 */
.macro STAC
0:      .byte 0x0f, 0x01, 0xcb
        .pushsection .clac_sites, "a"
        .quad 0b
        .popsection
.endm
.macro CLAC
0:      .byte 0x0f, 0x01, 0xca
        .pushsection .clac_sites, "a"
        .quad 0b
        .popsection
.endm

        /* The guest's fast paths (hv/core/hot_path.hpp). */
        .section .text.hot, "ax"
        .globl guest_copy_raw
guest_copy_raw:
        mov     %rdx, %rcx
        STAC
1:      rep movsb
        CLAC
        xor     %eax, %eax
        ret
2:      CLAC
        mov     %rcx, %rax
        ret
        .pushsection .ex_table, "a"
        .quad 1b, 2b
        .popsection
