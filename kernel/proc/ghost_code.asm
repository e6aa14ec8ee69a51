; ghost_code.asm — ghost code that runs in user mode: a flat binary, copied
; into the ghost code page (GHOST_CODE_VA) that every process maps R+X.
; Entry offsets are listed in kernel/proc/ghost.c (ghost_user_code[]).
; Like Linux's vDSO: reading the clock needs no system call.

bits 64
%include "kernel/proc/ghost_layout.inc"
org GHOST_CODE_VA

DATA equ GHOST_DATA_VA - GHOST_CODE_VA   ; the data page, from $$

; uint64_t clock_ns(void): nanoseconds since boot, as the kernel's
; clock_ns(): ((rdtsc - boot_tsc) * ns_mult) >> 32 (struct ghost_data).
clock_ns:                                 ; offset 0
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, [rel $$ + DATA]              ; boot_tsc
    mul qword [rel $$ + DATA + 8]         ; rdx:rax = cycles * ns_mult
    shrd rax, rdx, 32
    ret

; Where a thread's function returns to (GHOST_THREAD_RETURN_VA: the kernel
; puts this address under the first frame of every thread it creates):
; thread_exit(the function's result), through thread_exit's own gate stub.
; Not a ghost function: no program binds it.
    times GHOST_THREAD_RETURN_OFFSET - ($ - $$) db 0xcc
thread_return:
    mov edi, eax
    jmp GHOST_THREAD_EXIT_STUB
