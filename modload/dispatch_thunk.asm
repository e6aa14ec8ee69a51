; dispatch_thunk.asm — the common half of the dispatch thunks (dispatch.h).
;
; A per-export thunk puts the export's index in r10d and its struct
; mod_identity in r11, and jumps here with the caller's arguments untouched
; in rdi, rsi, rdx, rcx, r8, r9 and the caller's return address on top of
; the stack. No argument may be on the stack (at most six integer
; arguments): this frame sits between the caller's and the implementation's.

        bits 64
%include "modload/thunk_frame.inc"
        default rel
        section .text

        extern mod_dispatch_enter, mod_dispatch_exit
        global mod_dispatch_common

mod_dispatch_common:
        THUNK_SAVE_ARGS                 ; see thunk_frame.inc
        sub rsp, 8                      ; rsp 16-byte aligned for the calls
        mov rdi, r11
        mov esi, r10d
        call mod_dispatch_enter         ; pins; returns the implementation
        mov r11, rax
        THUNK_LOAD_ARGS
        call r11
        THUNK_SAVE_RESULT
        mov rdi, [rbp-8]
        call mod_dispatch_exit          ; unpins at depth 0
        THUNK_RETURN
