/* PV entry: the builder leaves RSI = start_info and RSP on its boot stack
 * page; we move to our own stack and call guest_start(start_info). */
        .section .text.start, "ax"
        .globl _start
_start:
        cld
        lea     guest_stack_top(%rip), %rsp
        mov     %rsi, %rdi
        call    guest_start
1:      jmp     1b

        .section .bss
        .balign 16
guest_stack:
        .skip 32768
guest_stack_top:
