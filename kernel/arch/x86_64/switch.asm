; switch.asm — kernel thread context switch.
;
; context_switch(uint64_t *save_rsp, uint64_t load_rsp): pushes the
; callee-saved registers on the current stack, stores rsp into *save_rsp,
; loads load_rsp and pops the next thread's registers. A new thread's stack
; is prepared by thread_create so that the `ret` lands in thread_trampoline.

bits 64
section .text
global context_switch, thread_trampoline
extern thread_start

context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; First code a new thread runs: r12 = its struct thread. rbp is zero so
; backtraces end here.
thread_trampoline:
    mov rdi, r12
    xor rbp, rbp
    call thread_start
    ud2
