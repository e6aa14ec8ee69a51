; probe_ops.asm — the instructions that may fault on purpose (see wisp/probe.h).
;
; Every instruction that may fault has a (fault rip, resume rip) entry in
; probe_fixups. On a fault, probe_fixup() sets rax to the negative result and
; rip to the resume address; on success rax stays 0. Adding a probe here
; means adding its entry to the table below.

bits 64
section .text

; int probe_read8(const void *addr, uint8_t *out)
global probe_read8
probe_read8:
    xor eax, eax
.access:
    movzx ecx, byte [rdi]
    mov [rsi], cl
.done:
    ret

; int probe_write8(void *addr, uint8_t value)
global probe_write8
probe_write8:
    xor eax, eax
.access:
    mov [rdi], sil
.done:
    ret

; int probe_exec_call(const void *target, uint64_t *saved_rsp)
; Calls target. A fetch fault at target resumes at probe_exec_resume with
; rsp set back to the value stored in *saved_rsp and rax the result.
global probe_exec_call
global probe_exec_resume
probe_exec_call:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8                      ; keeps the call below 16-byte aligned
    mov [rsi], rsp
.call:                              ; a non-canonical target faults here (#GP)
    call rdi
    xor eax, eax
probe_exec_resume:
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; int user_copy(void *dst, const void *src, size_t n): rep movsb with AC
; set (SMAP lets ring 0 reach user pages only then; pushf/popf rather than
; stac/clac so it works without SMAP too). A fault at user_copy_access on
; a page of map() not touched yet is paged in and the copy goes on
; (kernel/proc/mapping.c); any other resumes at .done with rax negative.
; AC is cleared on both paths. The caller (usercopy.c) has checked that
; the range lies in the user half.
global user_copy
global user_copy_access
user_copy:
    pushfq
    or qword [rsp], 1 << 18
    popfq
    xor eax, eax
    mov rcx, rdx
user_copy_access:
    rep movsb
.done:
    pushfq
    and qword [rsp], ~(1 << 18)
    popfq
    ret

section .rodata
align 8
global probe_fixups
global probe_fixup_count
probe_fixups:
    dq probe_read8.access, probe_read8.done
    dq probe_write8.access, probe_write8.done
    dq probe_exec_call.call, probe_exec_resume
    dq user_copy_access, user_copy_access.done
probe_fixups_end:
probe_fixup_count:
    dq (probe_fixups_end - probe_fixups) / 16
