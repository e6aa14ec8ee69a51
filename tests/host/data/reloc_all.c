/* reloc_all.c — a test module for tests/host/test_reloc.c: between its C
 * code (built with the module flags, -mcmodel=kernel) and the asm below it
 * makes gcc and gas emit every relocation type the loader supports except
 * plain GOTPCREL (see reloc_got.c). The tests read the relocated bytes; the
 * code never runs. */

extern int imported_value;
extern int imported_function(int);
extern int missing_weak_function(int) __attribute__((weak));

static int counter = 5;
int table[4] = { 1, 2, 3, 4 };
int *pointer_to_table = &table[1];                  /* R_X86_64_64, data */
int (*function_pointer)(int) = imported_function;   /* R_X86_64_64, import */
static char buffer[64];                             /* bss */

void bump_counter(void)                 /* R_X86_64_PC32 against .data */
{
    counter++;
}

int call_import(int x)                  /* R_X86_64_PLT32, R_X86_64_PC32 */
{
    return imported_function(x) + counter;
}

int read_import(void)                   /* R_X86_64_PC32 against an import */
{
    return imported_value;
}

long index_table(long i)                /* R_X86_64_32S */
{
    return table[i];
}

char *buffer_address(void)              /* R_X86_64_32S against bss */
{
    return buffer;
}

int call_weak(int x)                    /* weak import left unresolved */
{
    return missing_weak_function ? missing_weak_function(x) : -1;
}

__asm__(".section .text.asm_got,\"ax\",@progbits\n"
        ".globl asm_got\n"
        "asm_got:\n"
        "    movq imported_value@GOTPCREL(%rip), %rax\n"   /* REX_GOTPCRELX */
        "    call *imported_function@GOTPCREL(%rip)\n"     /* GOTPCRELX */
        "    ret\n"
        ".section .rodata.asm_relocs,\"a\",@progbits\n"
        ".globl asm_relocs\n"
        "asm_relocs:\n"
        "    .long small_import\n"     /* R_X86_64_32: the test resolves it low */
        "    .reloc ., R_X86_64_NONE, imported_value\n"     /* R_X86_64_NONE */
        "    .long 0\n"
        "    .quad imported_function - .\n"                 /* R_X86_64_PC64 */
        "    .quad table + 8\n"                             /* R_X86_64_64 + addend */
        ".text\n");
