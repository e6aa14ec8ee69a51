; crt0.asm — a Wisp program's start-up code: _start -> main(argc, argv) -> exit.
;
; The kernel enters _start in ring 3 with the System V stack (kernel/proc/
; exec.c): rsp 16-byte aligned and pointing at argc, then argv[0..argc-1],
; a NULL, an empty environment (NULL) and an empty auxiliary vector
; (AT_NULL, 0). Every register but rsp is zero.

bits 64
default rel
section .text
global _start
extern main, exit

_start:
    xor ebp, ebp                     ; the outermost frame
    mov edi, [rsp]                   ; argc
    lea rsi, [rsp + 8]               ; argv
    and rsp, -16
    call main wrt ..plt
    mov edi, eax                     ; exit(main's result): a ghost function
    call exit wrt ..plt
    ud2

section .note.GNU-stack noalloc noexec nowrite progbits
