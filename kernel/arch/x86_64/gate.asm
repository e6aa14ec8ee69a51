; gate.asm — the privileged gate: SYSCALL entry, SYSRET exit, first entry
; into ring 3. The only way user code enters the kernel on purpose.
;
; Fast path (syscall_entry), interrupts off from SFMASK until `sti`:
;   swapgs                      GS: user -> kernel per-CPU base
;   save user rsp in gs:8, load the thread's kernel stack from gs:16
;   push user rsp, rflags (r11), rip (rcx); sti
;   pinned: rax < GHOST_MAX and rcx == the return address of gate stub rax
;           (GHOST_STUB_RETURN0 + rax * 16), else the process is ended
;   call syscall_table[rax](rdi, rsi, rdx, r10, r8, r9, rax)
;   cli; pop rip/rflags; zero the scratch registers (no kernel value leaks)
;   canonical check of the return rip (see below); pop user rsp; swapgs; sysretq
;
; Pinned system calls (like OpenBSD's pinsyscalls, Zircon's vDSO-only
; entry): a system call's number is a ghost index, and call i is accepted
; only from the `syscall` instruction of gate stub i in the shared ghost
; pages (kernel/include/wisp/ghost.h), so a program reaches the gate only
; through the ghost functions it was bound to. A raw `syscall` anywhere
; else, or a jump into stub j with stub i's number, ends the process
; (gate_unpinned_call). The check costs four instructions.
;
; The SYSRET hazard: on Intel CPUs, sysretq with a non-canonical rcx raises
; #GP in ring 0 but on the user's stack. A user rip is always below
; USER_TOP (nothing is ever mapped above it, so no syscall instruction can
; sit at the very end of the user half), and the gate checks anyway: a
; return rip at or above USER_TOP ends the process instead (gate_bad_return).
;
; Callee-saved registers (rbx, rbp, r12-r15) are kept by the C handlers.
; The handlers run preemptible, with interrupts on, on the thread's own
; kernel stack, and may sleep. NMIs between `pop rsp` and `sysretq` would
; see a kernel CS with the user's GS; NMIs only stop CPUs on panic.

bits 64
section .text
extern syscall_table, gate_bad_return, gate_unpinned_call
%include "kernel/proc/ghost_layout.inc"

USER_TOP    equ 0x00007ffffffff000

; ghost_init() checks that the gate and ghost.h agree on the stubs.
section .rodata
global gate_stub_return0
gate_stub_return0: dq GHOST_STUB_RETURN0
section .text

global syscall_entry
syscall_entry:
    swapgs
    mov [gs:8], rsp
    mov rsp, [gs:16]
    push qword [gs:8]                ; user rsp
    push r11                         ; user rflags
    push rcx                         ; user rip
    push rbp
    mov rbp, rsp                     ; 16-byte aligned: 4 pushes from the top
    sti
    cmp rax, GHOST_MAX               ; pinned: from gate stub rax only
    jae .unpinned
    mov r11, rax
    shl r11, 4
    add r11, [rel gate_stub_return0]
    cmp r11, rcx
    jne .unpinned
    mov rcx, r10                     ; 4th argument: SYSCALL takes rcx
    push rax                         ; 7th argument: the ghost index
    push rax                         ; (and rsp stays 16-byte aligned)
    lea r11, [rel syscall_table]
    call [r11 + rax * 8]
    add rsp, 16
.return:
    cli
    pop rbp
    pop rcx
    pop r11
    mov rdi, USER_TOP
    cmp rcx, rdi
    jae .bad_return
    xor edi, edi
    xor esi, esi
    xor edx, edx
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    mov rsp, [rsp]                   ; user rsp
    swapgs
    o64 sysret
.unpinned:
    ; on the kernel stack, interrupts on: end the process
    mov rdi, rcx
    mov rsi, rax
    call gate_unpinned_call
    ud2
.bad_return:
    ; back on the kernel stack, interrupts on, and end the process
    mov rsp, [gs:16]
    sti
    mov rdi, rcx
    call gate_bad_return
    ud2

; gate_enter_user(rip, rsp, arg): the first entry of a thread into ring 3,
; with an iretq frame (user CS 0x23, SS 0x1b, IF on). rdi of the user
; code is arg; every other register is zero.
global gate_enter_user
gate_enter_user:
    cli
    push 0x1b                        ; ss
    push rsi                         ; rsp
    push 0x202                       ; rflags: IF
    push 0x23                        ; cs
    push rdi                         ; rip
    mov rdi, rdx
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    swapgs
    iretq
