/* reloc_overflow.c — a test module with an R_X86_64_32 against a module
 * symbol: at kernel addresses (top 2 GiB) the value cannot fit 32 bits
 * zero-extended, so loading it must fail with an overflow error. */

int target_word = 7;

__asm__(".section .rodata.overflow,\"a\",@progbits\n"
        ".globl overflowing\n"
        "overflowing:\n"
        "    .long target_word\n"
        ".text\n");
