/* irq_internal_sleep.c — an interrupt-context export that sleeps through
 * one of the module's own functions. */
#include <wisp/module.h>
#include <wisp/sched.h>
#include <wisp/time.h>

static unsigned ticks;

static __attribute__((noinline)) void settle(void) { sched_sleep_ns(NSEC_PER_MSEC); }

void irq_tick(void)
{
    ticks++;
    settle();
}
WISP_EXPORT(irq_tick);
