/* history.c — the history of module versions (history.h) and the
 * console's `modhist`. The ring is under the module lock. */
#include "modload/loader.h"
#include "modload/history.h"
#include <wisp/kconsole.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <string.h>

static struct module_history_entry history[MODULE_HISTORY_MAX]; /* module lock */
static unsigned history_count;

void module_history_add(const char *name, uint32_t version, const char *by)
{
    module_assert_locked();
    struct module_history_entry *h = &history[history_count++ % MODULE_HISTORY_MAX];
    strlcpy(h->name, name, sizeof(h->name));
    h->version = version;
    h->when_ns = clock_ns();
    strlcpy(h->by, by, sizeof(h->by));
}

static void history_print(void)
{
    module_lock();
    unsigned first = history_count > MODULE_HISTORY_MAX ? history_count - MODULE_HISTORY_MAX : 0;
    kprintf("  %-16s %-8s %12s  %s\n", "module", "version", "live since", "by");
    for (unsigned i = first; i < history_count; i++) {
        const struct module_history_entry *h = &history[i % MODULE_HISTORY_MAX];
        kprintf("  %-16s %3u.%-4u %8lu.%03lu s  %s\n", h->name, h->version >> 16,
                h->version & 0xffff, h->when_ns / NSEC_PER_SEC, h->when_ns / NSEC_PER_MSEC % 1000,
                h->by);
    }
    module_unlock();
}
KCONSOLE_COMMAND("modhist", history_print,
                 "each module version: when it went live, by what (load, push)");
