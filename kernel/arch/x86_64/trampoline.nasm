; trampoline.nasm — application processor start-up code, copied to 0x8000.
;
; An AP starts in 16-bit real mode at 0x8000 after STARTUP IPIs. It loads a
; temporary GDT, enters protected mode, enables PAE/NX/long mode with the
; kernel's page tables (their PML4 is below 4 GiB and 0x8000 is identity
; mapped while APs start), and jumps to the kernel's ap_entry with the stack
; and struct cpu the BSP wrote into the parameter block at 0x8f00.

bits 16
org 0x8000

PARAMS equ 0x8f00           ; cr3 (+0), stack top (+8), entry (+16), cpu (+24)

start16:
    cli
    cld
    xor ax, ax
    mov ds, ax
    lgdt [gdt_ptr]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp 0x08:start32

bits 32
start32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 7)     ; PAE, PGE
    mov cr4, eax
    mov eax, [PARAMS]
    mov cr3, eax
    mov ecx, 0xc0000080             ; EFER: LME, NXE
    rdmsr
    or eax, (1 << 8) | (1 << 11)
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)   ; PG, WP
    mov cr0, eax
    jmp 0x18:start64

bits 64
start64:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [PARAMS + 8]
    mov rdi, [PARAMS + 24]
    xor rbp, rbp
    mov rax, [PARAMS + 16]
    call rax
.hang:
    hlt
    jmp .hang

align 8
gdt:
    dq 0
    dq 0x00cf9a000000ffff           ; 0x08: 32-bit code
    dq 0x00cf92000000ffff           ; 0x10: data
    dq 0x00af9a000000ffff           ; 0x18: 64-bit code
gdt_ptr:
    dw gdt_ptr - gdt - 1
    dd gdt
