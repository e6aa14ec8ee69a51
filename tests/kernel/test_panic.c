/* test_panic.c — deliberate faults must end in a full panic report.
 * Each runs in its own boot (KTEST_PANIC); the driver checks the message
 * and that the backtrace names this test's function. */
#include <wisp/ktest.h>
#include <wisp/printk.h>

/* Address 16, not NULL: a constant null dereference is undefined behaviour
 * that the compiler may turn into ud2; page 0 is unmapped all the same. */
KTEST_PANIC(panic_on_null_dereference, "page fault at 0000000000000010")
{
    uintptr_t addr = 16;
    __asm__ volatile("" : "+r"(addr)); /* hide the constant from the optimizer */
    (void)*(volatile uint64_t *)addr;
}

KTEST_PANIC(panic_on_explicit_call, "explicit panic 42") { panic("explicit panic %d", 42); }

KTEST_PANIC(panic_on_invalid_opcode, "invalid opcode") { __asm__ volatile("ud2"); }
