; boot.asm — multiboot2 entry: 32-bit protected mode to 64-bit higher half.
;
; GRUB enters _start in 32-bit protected mode with paging off, EAX holding the
; multiboot2 magic and EBX the physical address of the boot information.
; We build boot page tables that map the first 4 GiB three times (identity,
; the direct map at HHDM_BASE and the kernel image at KERNEL_VMA), enable long
; mode with NX, and jump to kernel_entry in the higher half. The boot tables
; are replaced by vmm_init() once physical memory is known.

%define KERNEL_VMA  0xffffffff80000000
%define HHDM_BASE   0xffff800000000000
%define MB2_MAGIC   0xe85250d6
%define MB2_ARCH    0
%define BOOT_STACK_SIZE 16384

section .multiboot2
align 8
mb2_header:
    dd MB2_MAGIC, MB2_ARCH, mb2_header_end - mb2_header
    dd -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
    ; information request: memory map (6), ACPI old (14) and new (15) RSDP, cmdline (1)
    align 8
    dw 1, 0
    dd 8 + 4 * 4
    dd 6, 14, 15, 1
    align 8
    dw 0, 0            ; end tag
    dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite
bits 32
global _start
_start:
    cli
    mov esp, boot_stack_top - KERNEL_VMA
    mov ebp, eax                    ; keep magic and info pointer for kernel_entry
    mov esi, ebx

    ; long mode available? (cpuid 0x80000001 edx bit 29)
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; 4 page directories of 2 MiB pages cover 0..4 GiB
    mov edi, boot_pd - KERNEL_VMA
    mov eax, 0x83                   ; present | writable | page size
    xor ebx, ebx
    mov ecx, 4 * 512
.fill_pd:
    mov [edi], eax
    mov [edi + 4], ebx
    add eax, 0x200000
    adc ebx, 0
    add edi, 8
    loop .fill_pd

    ; PDPT for identity and direct map: 4 entries to the 4 directories
    mov edi, boot_pdpt_low - KERNEL_VMA
    mov eax, (boot_pd - KERNEL_VMA) + 0x3
    mov ecx, 4
.fill_pdpt:
    mov [edi], eax
    add eax, 4096
    add edi, 8
    loop .fill_pdpt

    ; PDPT for the kernel image: entry 510 (-2 GiB) maps the first GiB
    mov dword [boot_pdpt_high - KERNEL_VMA + 510 * 8], (boot_pd - KERNEL_VMA) + 0x3

    mov dword [boot_pml4 - KERNEL_VMA + 0 * 8], (boot_pdpt_low - KERNEL_VMA) + 0x3
    mov dword [boot_pml4 - KERNEL_VMA + 256 * 8], (boot_pdpt_low - KERNEL_VMA) + 0x3
    mov dword [boot_pml4 - KERNEL_VMA + 511 * 8], (boot_pdpt_high - KERNEL_VMA) + 0x3

    mov eax, boot_pml4 - KERNEL_VMA
    mov cr3, eax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 7)      ; PAE, PGE
    mov cr4, eax
    mov ecx, 0xc0000080              ; EFER: long mode enable, NX enable
    rdmsr
    or eax, (1 << 8) | (1 << 11)
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)    ; paging, write protect
    mov cr0, eax

    lgdt [boot_gdt_ptr]
    jmp 0x08:long_mode_entry

.no_long_mode:
    mov dx, 0x3f8
    mov esi, no_long_mode_msg
.putc:
    lodsb
    test al, al
    jz .halt
    out dx, al
    jmp .putc
.halt:
    hlt
    jmp .halt

bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rax, higher_half_entry
    jmp rax

section .text
higher_half_entry:
    mov rsp, boot_stack_top
    mov edi, esi                    ; multiboot2 info, physical
    mov esi, ebp                    ; multiboot2 magic
    xor rbp, rbp                    ; terminates backtraces
    extern kernel_entry
    call kernel_entry
.hang:
    cli
    hlt
    jmp .hang

section .boot.data progbits alloc noexec write
align 8
boot_gdt:
    dq 0
    dq 0x00af9a000000ffff            ; 64-bit code
    dq 0x00cf92000000ffff            ; data
boot_gdt_ptr:
    dw boot_gdt_ptr - boot_gdt - 1
    dq boot_gdt
no_long_mode_msg:
    db "wisp: this CPU has no long mode", 13, 10, 0

section .bss
align 4096
global boot_pml4
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4 * 4096
align 16
global boot_stack_top
boot_stack:     resb BOOT_STACK_SIZE
boot_stack_top:
