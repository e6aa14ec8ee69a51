/* counter.c — the demo module: a counter shared by every caller.
 *
 * Kept deliberately small: it is the first thing swapped live (the
 * live-update issue adds versions v2, v3 and a state transfer). Each
 * version tags its results with its version number, so a test can tell
 * which implementation answered a call.
 */
#include <wisp/module.h>
#include <wisp/printk.h>

#define COUNTER_VERSION 1

static uint64_t count;

/* Adds n and returns the new total. Any context; never sleeps; re-entrant. */
uint64_t counter_add(uint64_t n)
{
    return __atomic_add_fetch(&count, n, __ATOMIC_RELAXED);
}
WISP_EXPORT(counter_add);

uint64_t counter_read(void)
{
    return __atomic_load_n(&count, __ATOMIC_RELAXED);
}
WISP_EXPORT(counter_read);

/* Which implementation answers: lets callers check whole-version calls. */
uint32_t counter_version(void)
{
    return COUNTER_VERSION;
}
WISP_EXPORT(counter_version);

static int counter_start(void)
{
    pr_info("counter: version %d ready\n", COUNTER_VERSION);
    return 0;
}
WISP_MODULE_INIT(counter_start);
