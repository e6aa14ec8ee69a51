/* history.c — the history of module versions and the minimum version of
 * each module (history.h), and the console's `modhist`. Both tables are
 * under the module lock. */
#include "modload/loader.h"
#include "modload/history.h"
#include <wisp/kconsole.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <string.h>

#define FLOOR_MAX 64 /* modules whose minimum version is kept */

static struct module_history_entry history[MODULE_HISTORY_MAX]; /* module lock */
static unsigned history_count;

static struct {
    char name[32];
    uint32_t version;
} floors[FLOOR_MAX]; /* module lock */
static unsigned floor_count;

static void floor_set(const char *name, uint32_t version)
{
    unsigned i = 0;
    while (i < floor_count && strcmp(floors[i].name, name) != 0)
        i++;
    if (i == FLOOR_MAX) {
        pr_warn("modules: more than %d modules; the minimum version of %s is not kept\n", FLOOR_MAX,
                name);
        return;
    }
    if (i == floor_count) {
        strlcpy(floors[i].name, name, sizeof(floors[i].name));
        floor_count++;
    }
    floors[i].version = version;
}

uint32_t module_version_floor(const char *name)
{
    module_assert_locked();
    for (unsigned i = 0; i < floor_count; i++)
        if (strcmp(floors[i].name, name) == 0)
            return floors[i].version;
    struct mod_image_section s;
    return boot_image_module(name, &s, NULL) == MOD_OK ? s.version : 0;
}

void module_history_add(const char *name, uint32_t version, const char *by)
{
    module_assert_locked();
    struct module_history_entry *h = &history[history_count++ % MODULE_HISTORY_MAX];
    strlcpy(h->name, name, sizeof(h->name));
    h->version = version;
    h->when_ns = clock_ns();
    strlcpy(h->by, by, sizeof(h->by));
    floor_set(name, version);
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
