/* faults — one program, many ways to break the rules: argv[1] names the
 * one to try. Each must end the process with a fault; returning 0 means
 * the fault did not happen. */
#include "sys.h"
#include <wisp/ghost.h>

#define SLOTS_VA 0xffffffffbf000000ul /* SYM_SLOTS_VA, modload/symtab.h */

#define KERNEL_TEXT 0xffffffff80100000ul
#define DIRECT_MAP  0xffff800000100000ul

/* Enters null()'s gate stub at its syscall instruction with number in
 * rax, as a program jumping into a stub would; returns rax. */
static long syscall_in_null_stub(long number)
{
    uint64_t target = GHOST_STUBS_VA + SYS_NULL * GHOST_STUB_SIZE + GHOST_STUB_SYSCALL;
    long rax = number;
    __asm__ volatile("call *%1"
                     : "+a"(rax)
                     : "r"(target)
                     : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
    return rax;
}

int main(int argc, char **argv);

static void fault(const char *what)
{
    if (sys_streq(what, "read_kernel"))
        (void)*(volatile uint64_t *)KERNEL_TEXT;
    else if (sys_streq(what, "write_kernel"))
        *(volatile uint64_t *)KERNEL_TEXT = 1;
    else if (sys_streq(what, "read_direct_map"))
        (void)*(volatile uint64_t *)DIRECT_MAP;
    else if (sys_streq(what, "read_slots"))
        (void)*(volatile uint64_t *)(SLOTS_VA + 8);
    else if (sys_streq(what, "jump_kernel"))
        ((void (*)(void))KERNEL_TEXT)();
    else if (sys_streq(what, "write_code"))
        *(volatile uint8_t *)(uintptr_t)&main = 0x90;
    else if (sys_streq(what, "exec_stack")) {
        volatile uint8_t code[16] = { 0xc3 }; /* ret */
        ((void (*)(void))(uintptr_t)code)();
    } else if (sys_streq(what, "undefined_opcode"))
        __asm__ volatile("ud2");
    else if (sys_streq(what, "privileged"))
        __asm__ volatile("cli");
    else if (sys_streq(what, "int_gate"))
        __asm__ volatile("int $0x80");
    else if (sys_streq(what, "raw_syscall")) /* not from a ghost stub */
        raw_syscall(SYS_GETPID, 0, 0, 0, 0);
    else if (sys_streq(what, "wrong_stub")) /* getpid's number, null's stub */
        syscall_in_null_stub(SYS_GETPID);
    else if (sys_streq(what, "write_ghost_table"))
        *(volatile uint64_t *)GHOST_TABLE_VA = 0;
    else if (sys_streq(what, "write_ghost_code"))
        *(volatile uint8_t *)GHOST_STUBS_VA = 0x90;
    else if (sys_streq(what, "right_stub")) { /* null's number, null's stub: fine */
        exit(syscall_in_null_stub(SYS_NULL) == 0 ? 7 : 8);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    fault(argv[1]);
    return 0;
}
