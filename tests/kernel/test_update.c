/* test_update.c — the live-update transaction's retire step (update.c):
 * a version whose chain does not end in time is kept on the retiring
 * list, keeps its module from being unloaded and its version slot taken,
 * and is freed by the reaper once its last chain leaves. */
#include <wisp/ktest.h>
#include <wisp/mm.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <string.h>
#include "modload/dispatch.h"
#include "modload/module.h"
#include "modload/symtab.h"
#include "modload/update/update.h"
#include "tests/torture/swap.h"

struct sleeper {
    struct mod_identity *id;
    int version_export;
    void *entered_impl; /* what the chain's outermost entry runs */
    void *inner_impl;   /* what a nested entry runs, after the swap */
    bool inside, release;
};

/* A chain that stays inside counter until told to leave, as a thread
 * asleep in a module's function would. */
static void sleeper_fn(void *arg)
{
    struct sleeper *s = arg;
    s->entered_impl = mod_dispatch_enter(s->id, (uint32_t)s->version_export);
    __atomic_store_n(&s->inside, true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&s->release, __ATOMIC_ACQUIRE))
        sched_sleep_ns(NSEC_PER_MSEC);
    s->inner_impl = mod_dispatch_enter(s->id, (uint32_t)s->version_export); /* nested */
    mod_dispatch_exit(s->id);
    mod_dispatch_exit(s->id);
}

static bool wait_for(bool (*done)(void), uint64_t ms)
{
    uint64_t deadline = clock_ns() + ms * NSEC_PER_MSEC;
    while (!done()) {
        if (clock_ns() >= deadline)
            return false;
        sched_sleep_ns(NSEC_PER_MSEC);
    }
    return true;
}

static bool nothing_retiring(void) { return module_retiring() == 0; }

KTEST(update_version_with_a_chain_inside_is_retired_later_and_freed_by_the_reaper)
{
    struct mod_error err;
    struct update_report rep;
    struct module *m = module_find("counter");
    KASSERT_TRUE(m != NULL);
    KASSERT_EQ(swap_counter(1u << 16, &rep, &err), MOD_OK); /* warm the caches */
    m = module_find("counter");
    size_t area_before = module_area_pages_used();
    size_t free_before = pmm_free_page_count();
    static struct sleeper s;
    memset(&s, 0, sizeof(s));
    s.id = m->identity;
    s.version_export = mod_dispatch_export_index(m->identity, "counter_version");
    KASSERT_GE(s.version_export, 0);
    struct thread *t = thread_create("sleeper", sleeper_fn, &s, -1);
    KASSERT_TRUE(t != NULL);
    while (!__atomic_load_n(&s.inside, __ATOMIC_ACQUIRE))
        sched_sleep_ns(NSEC_PER_MSEC);

    /* The swap goes live; the old version cannot be freed yet. */
    KEXPECT_EQ(swap_counter(2u << 16, &rep, &err), MOD_OK);
    KEXPECT_TRUE(rep.old_kept);
    KEXPECT_EQ(module_retiring(), 1u);
    struct module *live = module_find("counter");
    KEXPECT_EQ(live->version, 2u << 16);
    struct mod_error unload_err;
    KEXPECT_EQ(module_unload(live, &unload_err), MOD_E_BUSY);
    KEXPECT_TRUE(strstr(unload_err.message, "older versions still have chains inside") != NULL);

    /* Two more swaps drain at once; the next one would need the slot the
     * retiring version still holds: refused, and nothing changes. */
    KEXPECT_EQ(swap_counter(3u << 16, &rep, &err), MOD_OK);
    KEXPECT_EQ(swap_counter(4u << 16, &rep, &err), MOD_OK);
    KEXPECT_FALSE(rep.old_kept);
    KEXPECT_EQ(swap_counter(5u << 16, &rep, &err), MOD_E_BUSY);
    KEXPECT_TRUE(strstr(err.message, "retire: 1 older versions of counter still have chains") !=
                 NULL);
    live = module_find("counter");
    KEXPECT_EQ(live->version, 4u << 16);

    /* The chain re-enters its own version, then leaves; the reaper frees it. */
    __atomic_store_n(&s.release, true, __ATOMIC_RELEASE);
    thread_join(t);
    KEXPECT_TRUE(s.inner_impl == s.entered_impl); /* the chain stayed on the old version */
    KEXPECT_TRUE(s.inner_impl != mod_identity_current(s.id)->impl[s.version_export]);
    KEXPECT_TRUE(wait_for(nothing_retiring, 2000));

    KEXPECT_EQ(swap_counter(1u << 16, &rep, &err), MOD_OK);
    KEXPECT_FALSE(rep.old_kept);
    KEXPECT_EQ(module_area_pages_used(), area_before);
    long pages_lost = (long)free_before - (long)pmm_free_page_count();
    KEXPECT_LE(pages_lost, 16);
}
