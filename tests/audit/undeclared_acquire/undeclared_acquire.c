/* undeclared_acquire.c — an export takes a declared class that its
 * `acquires` omits (through a helper). */
#include <wisp/module.h>
#include <locks/mutex.h>

static struct mutex stats_lock = MUTEX_INIT(stats_lock, "undeclared_acquire.stats");
static int hits;

static __attribute__((noinline)) void count_hit(void)
{
    mutex_lock(&stats_lock);
    hits++;
    mutex_unlock(&stats_lock);
}

void stats_hit(void) { count_hit(); }
WISP_EXPORT(stats_hit);
