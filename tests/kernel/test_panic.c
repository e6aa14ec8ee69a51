/* test_panic.c — deliberate faults must end in a full panic report.
 * Each runs in its own boot (KTEST_PANIC); the driver checks the message
 * and that the backtrace names this test's function. */
#include <wisp/ktest.h>
#include <wisp/printk.h>
#include <wisp/mm.h>

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

/* A frame far larger than the stack: -fstack-clash-protection probes it
 * page by page from the top, so the first probe past the stack's bottom
 * hits the guard page (not the next slot's stack); the double fault panics
 * naming the thread. */
static __attribute__((noinline)) int use_too_much_stack(int seed)
{
    volatile char big[KSTACK_SIZE + 2 * PAGE_SIZE];
    big[0] = (char)seed;
    return big[0];
}

KTEST_PANIC(kstack_overflow_panics_naming_the_thread, "kernel stack overflow: thread init")
{
    int r = use_too_much_stack(1); /* not a tail call: this frame stays */
    kprintf("the stack did not overflow (%d)\n", r);
}
