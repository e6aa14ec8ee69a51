; dispatch_thunk.asm — the common half of the dispatch thunks (dispatch.h).
;
; A per-export thunk puts the export's index in r10d and its struct
; mod_identity in r11, and jumps here with the caller's arguments untouched
; in rdi, rsi, rdx, rcx, r8, r9 and the caller's return address on top of
; the stack. No argument may be on the stack (at most six integer
; arguments): this frame sits between the caller's and the implementation's.

        bits 64
        default rel
        section .text

        extern mod_dispatch_enter, mod_dispatch_exit
        global mod_dispatch_common

mod_dispatch_common:
        push rbp
        mov rbp, rsp
        push r11                        ; [rbp-8]  the identity
        push rdi                        ; [rbp-16] the arguments
        push rsi                        ; [rbp-24]
        push rdx                        ; [rbp-32]
        push rcx                        ; [rbp-40]
        push r8                         ; [rbp-48]
        push r9                         ; [rbp-56]
        sub rsp, 8                      ; rsp 16-byte aligned for the calls
        mov rdi, r11
        mov esi, r10d
        call mod_dispatch_enter         ; pins; returns the implementation
        mov r11, rax
        mov rdi, [rbp-16]
        mov rsi, [rbp-24]
        mov rdx, [rbp-32]
        mov rcx, [rbp-40]
        mov r8, [rbp-48]
        mov r9, [rbp-56]
        call r11
        mov [rbp-16], rax               ; the result (rax, rdx)
        mov [rbp-24], rdx
        mov rdi, [rbp-8]
        call mod_dispatch_exit          ; unpins at depth 0
        mov rax, [rbp-16]
        mov rdx, [rbp-24]
        leave
        ret
