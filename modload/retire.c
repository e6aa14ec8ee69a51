/* retire.c — retiring versions: old versions of a module that still had
 * call chains inside when the step that replaced them stopped waiting (a
 * thread asleep inside the module, say). No new chain can enter them; the
 * `reaper` thread, which runs while the list is not empty, frees each once
 * its active count is 0. The list is under the module lock; a module is
 * not unloaded while it has retiring versions (identity->retiring).
 */
#include "modload/loader.h"
#include "modload/dispatch.h"
#include <wisp/printk.h>
#include <wisp/sched.h>
#include <wisp/time.h>

#define REAP_POLL_MS 100

static struct list_node retiring = LIST_INIT(retiring); /* module lock */
static bool reaper_running;                             /* module lock */

static void reaper_thread(void *arg __unused)
{
    for (;;) {
        sched_sleep_ns(REAP_POLL_MS * NSEC_PER_MSEC);
        module_lock();
        bool done = module_reap_locked() == 0;
        if (done)
            reaper_running = false;
        module_unlock();
        if (done)
            thread_exit();
    }
}

void module_retire_later(struct module *old)
{
    module_assert_locked();
    list_push_back(&retiring, &old->node);
    old->identity->retiring++;
    struct thread *reaper =
        reaper_running ? NULL : thread_create("reaper", reaper_thread, NULL, -1);
    if (reaper) {
        reaper_running = true;
        thread_detach(reaper);
    }
}

unsigned module_reap_locked(void)
{
    module_assert_locked();
    unsigned left = 0;
    list_for_each_safe(pos, tmp, &retiring)
    {
        struct module *m = list_entry(pos, struct module, node);
        if (mod_dispatch_active(m) != 0) {
            left++;
            continue;
        }
        list_remove(&m->node);
        m->identity->retiring--;
        pr_info("update: retired %s %u.%u freed (its last chain left)\n", m->name, m->version >> 16,
                m->version & 0xffff);
        module_free_version_locked(m, m->exit_when_freed || m->state_get == NULL);
    }
    return left;
}

unsigned module_retiring(void)
{
    unsigned n = 0;
    module_lock();
    list_for_each(pos, &retiring) n++;
    module_unlock();
    return n;
}

void module_retiring_print(void)
{
    module_lock();
    list_for_each(pos, &retiring)
    {
        struct module *m = list_entry(pos, struct module, node);
        kprintf("  %-16s %3u.%-3u %-9s %6lu KiB  %lu chains inside\n", m->name, m->version >> 16,
                m->version & 0xffff, "retiring", m->size / 1024, mod_dispatch_active(m));
    }
    module_unlock();
}
