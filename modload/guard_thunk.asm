; guard_thunk.asm — the common half of the export guards (module_guard.h).
;
; A per-export thunk loads its struct module_guard into r11 and jumps here
; with the caller's arguments untouched in rdi, rsi, rdx, rcx, r8, r9 and
; the caller's return address on top of the stack. No argument may be on
; the stack (at most six integer arguments).

        bits 64
%include "modload/thunk_frame.inc"
        default rel
        section .text

        extern module_guard_enter, module_guard_exit
        global module_guard_thunk, module_guard_invoke

FRAME   equ 160                         ; MODULE_GUARD_FRAME_SIZE (checked in C)

module_guard_thunk:
        THUNK_SAVE_ARGS                 ; see thunk_frame.inc
        sub rsp, FRAME + 8              ; the frame; rsp 16-byte aligned again
        mov rdi, r11
        mov rsi, rsp
        call module_guard_enter
        THUNK_LOAD_ARGS
        mov r11, [rbp-8]
        call [r11]                      ; guard->implementation
        THUNK_SAVE_RESULT
        mov rdi, [rbp-8]
        mov rsi, rsp
        call module_guard_exit
        THUNK_RETURN

; uint64_t module_guard_invoke(guard, a, b, c, d, e): a call through the
; guard as from a slot, for tests.
module_guard_invoke:
        mov r11, rdi
        mov rdi, rsi
        mov rsi, rdx
        mov rdx, rcx
        mov rcx, r8
        mov r8, r9
        xor r9, r9
        jmp module_guard_thunk
