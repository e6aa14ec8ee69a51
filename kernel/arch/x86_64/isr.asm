; isr.asm — interrupt entry stubs and the common save/restore path.
;
; Every vector has a stub that pushes a zero error code where the CPU pushes
; none, then its vector number, and jumps to isr_common, which saves the
; general registers as a struct trap_frame (trap.h) and calls trap_dispatch.
; Entries from ring 3 swap GS so that GS always holds the per-CPU base in
; ring 0.

bits 64
section .text
extern trap_dispatch

%macro ISR_NOERR 1
isr_%1:
    push 0
    push %1
    jmp isr_common
%endmacro

%macro ISR_ERR 1
isr_%1:
    push %1
    jmp isr_common
%endmacro

; vectors with a CPU-pushed error code: 8, 10-14, 17, 21, 29, 30
%assign v 0
%rep 256
  %if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
    ISR_ERR v
  %else
    ISR_NOERR v
  %endif
  %assign v v + 1
%endrep

isr_common:
    cld
    pushfq                           ; clear AC: ring 3 may have set it, and
    and qword [rsp], ~(1 << 18)      ; SMAP must hold in every handler
    popfq
    test qword [rsp + 24], 3         ; came from ring 3?
    jz .kernel1
    swapgs
.kernel1:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    call trap_dispatch
global trap_return
trap_return:
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    test qword [rsp + 24], 3         ; returning to ring 3?
    jz .kernel2
    swapgs
.kernel2:
    add rsp, 16                      ; vector and error code
    iretq

section .rodata
global isr_table
isr_table:
%assign v 0
%rep 256
    dq isr_ %+ v
  %assign v v + 1
%endrep
