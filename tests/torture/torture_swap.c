/* torture_swap.c — the swap torture (TORTURE(swap)): thousands of in-kernel
 * live updates of counter under load, with the assertions of the live
 * update (MODULES.md, "Live update").
 *
 * One swapper thread replaces counter again and again with the image's
 * counter object under alternating versions 1.0 / 1.1
 * (update_apply_image_section: the transaction a push runs, minus the line
 * and its version rules). Workers on every other CPU
 * call counter_add(1) through its slot, and run chains: they enter counter
 * as its dispatch thunk does (mod_dispatch_enter), re-enter it nested
 * several times and check each nested entry got the same version's code as
 * the outermost one (a mix is an error). At the end: the count grew by
 * exactly the workers' additions (no increment lost), no chain mixed, and
 * the free page count is back to where it was (every retired version
 * freed). `make test` runs it short (a KTEST below); `make torture` long.
 * The busted flavour gives nested calls the module's current version, as a
 * per-call repoint of the slots would: the mixes it reports show that the
 * chain check can see a mix.
 */
#include <wisp/boot.h>
#include <wisp/ktest.h>
#include <wisp/mm.h>
#include <wisp/percpu.h>
#include <wisp/printk.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/format.h>
#include <rcu/rcu.h>
#include <string.h>
#include "modload/dispatch.h"
#include "modload/format/image.h"
#include "modload/module.h"
#include "modload/symtab.h"
#include "modload/update/update.h"
#include <wisp/torture.h>
#include "tests/torture/swap.h"

#define SWAP_WORKERS_MAX 16
#define SWAP_NESTING     4
#define SWAP_PAGE_SLACK  64 /* slab growth; a leaked version is more */

/* The image's section called name (the boot module "image"). */
bool swap_image_section(const char *name, struct mod_image_section *s)
{
    struct mod_image img;
    for (unsigned i = 0; i < boot_info.module_count; i++) {
        const struct boot_module *bm = &boot_info.modules[i];
        if (strcmp(bm->cmdline, "image") == 0 &&
            mod_image_open(&img, phys_to_virt(bm->start), bm->end - bm->start, NULL) == MOD_OK &&
            mod_image_find(&img, name, s) == MOD_OK)
            return true;
    }
    return false;
}

/* Swaps counter to the image's object under version; MOD_OK or err. */
enum mod_status swap_counter(uint32_t version, struct update_report *r, struct mod_error *err)
{
    struct mod_image_section s;
    if (!swap_image_section("counter", &s))
        return mod_fail(err, MOD_E_NOT_FOUND, "no counter section in the image");
    s.version = version;
    struct update_request req = { .by = "test" };
    struct update_verdict v;
    enum mod_status st = update_apply_image_section(&s, &req, &v);
    *r = v.report;
    if (st != MOD_OK)
        mod_fail(err, st, "%s", v.text);
    return st;
}

struct swap_worker {
    struct thread *thread;
    uint64_t adds, chains, mixes;
};

static struct swap_worker workers[SWAP_WORKERS_MAX];
static bool swap_stop;
static bool swap_busted; /* nested calls ignore the chain's pin */
static uint32_t add_slot;
static struct mod_identity *counter_identity;
static int version_export;

static void swap_worker_fn(void *arg)
{
    struct swap_worker *w = arg;
    uint64_t (*add)(uint64_t);
    while (!__atomic_load_n(&swap_stop, __ATOMIC_ACQUIRE)) {
        add = (uint64_t(*)(uint64_t))sym_slot_load(add_slot);
        add(1);
        w->adds++;
        /* A chain: an outermost entry, then nested ones. */
        void *outer = mod_dispatch_enter(counter_identity, (uint32_t)version_export);
        if ((w->chains & 63) == 0)
            thread_yield(); /* let a swap land in the middle of the chain */
        for (int i = 0; i < SWAP_NESTING; i++) {
            void *inner = mod_dispatch_enter(counter_identity, (uint32_t)version_export);
            if (swap_busted) {
                /* Busted: what a per-call slot repoint would give the nested
                 * call — the current version, not the chain's. */
                struct module *now = mod_identity_current(counter_identity);
                inner = now->impl[version_export];
            }
            w->mixes += inner != outer;
            add(1); /* through the slot, nested in the chain */
            w->adds++;
            mod_dispatch_exit(counter_identity);
        }
        mod_dispatch_exit(counter_identity);
        w->chains++;
        if ((w->chains & 255) == 0)
            thread_yield();
    }
}

TORTURE(swap)
{
    struct mod_error err;
    struct update_report rep;
    uint32_t read_slot;
    memset(r, 0, sizeof(*r));
    struct module *m = module_find("counter");
    if (!m || module_bind("counter_add", &add_slot, &err) ||
        module_bind("counter_read", &read_slot, &err)) {
        ksnprintf(r->detail, sizeof(r->detail), "counter not loaded");
        r->errors = 1;
        return;
    }
    counter_identity = m->identity;
    version_export = mod_dispatch_export_index(m->identity, "counter_version");
    /* One swap first: the slab caches the transaction uses reach their size. */
    if (swap_counter(1u << 16, &rep, &err)) {
        ksnprintf(r->detail, sizeof(r->detail), "swap: %s", err.message);
        r->errors = 1;
        return;
    }
    size_t free_before = pmm_free_page_count();
    uint64_t count_before = ((uint64_t(*)(void))sym_slot_load(read_slot))();
    unsigned n = 0;
    swap_stop = false;
    swap_busted = p->busted;
    for (unsigned cpu = 1; cpu < cpu_count && n < SWAP_WORKERS_MAX; cpu++, n++) {
        memset(&workers[n], 0, sizeof(workers[n]));
        workers[n].thread = thread_create("swap-worker", swap_worker_fn, &workers[n], (int)cpu);
    }
    uint64_t end = clock_ns() + p->duration_ns, worst_grace = 0, failures = 0;
    while (clock_ns() < end) {
        uint32_t version = 1u << 16 | (uint32_t)(r->ops & 1);
        if (swap_counter(version, &rep, &err) != MOD_OK || rep.old_kept) {
            if (!failures++)
                pr_err("torture swap: %s\n", rep.old_kept ? "old version kept" : err.message);
            continue;
        }
        worst_grace = rep.grace_ns > worst_grace ? rep.grace_ns : worst_grace;
        r->ops++;
        r->grace_periods++;
    }
    __atomic_store_n(&swap_stop, true, __ATOMIC_RELEASE);
    uint64_t adds = 0, chains = 0, mixes = 0;
    for (unsigned i = 0; i < n; i++) {
        thread_join(workers[i].thread);
        adds += workers[i].adds;
        chains += workers[i].chains;
        mixes += workers[i].mixes;
    }
    uint64_t grew = ((uint64_t(*)(void))sym_slot_load(read_slot))() - count_before;
    swap_counter(1u << 16, &rep, &err); /* leave 1.0 live */
    size_t free_after = pmm_free_page_count();
    long pages_lost = (long)free_before - (long)free_after;
    r->errors = failures + mixes + (grew != adds) + (pages_lost > SWAP_PAGE_SLACK);
    r->success = r->errors == 0 && r->ops > 0 && adds > 0;
    ksnprintf(
        r->detail, sizeof(r->detail),
        "workers=%u adds=%lu grew=%lu chains=%lu mixes=%lu failed_swaps=%lu pages_lost=%ld worst_retire_us=%lu",
        n, adds, grew, chains, mixes, failures, pages_lost, worst_grace / 1000);
}

KTEST(update_swap_torture_busted_flavour_sees_mixed_chains)
{
    struct torture_result r = torture_run("swap", 2000, true);
    KEXPECT_FALSE(r.success);
    KEXPECT_GT(r.errors, 0);
}

KTEST(update_swap_torture_short_loses_nothing_and_mixes_no_chain)
{
    struct torture_result r = torture_run("swap", 2000, false);
    KEXPECT_TRUE(r.success);
    KEXPECT_EQ(r.errors, 0);
    KEXPECT_GT(r.ops, 10);
}
