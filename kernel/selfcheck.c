/* selfcheck.c — the monitor's `selfcheck`: the kernel checks itself, e.g.
 * after a fuzzer run (tests/qemu/e2e_fuzz.py).
 *
 * Each run checks what must always hold — the heap's slabs agree with
 * their counts and, in debug builds, no freed object was written
 * (kmem_check) — and compares with the previous run (the first takes the
 * baseline): no lock validator report since, and nothing left behind once
 * the programs started in between have ended: the same processes and
 * threads, pages in use outside the caches (the heap's slabs, the freed
 * kernel stacks kept for reuse) and heap bytes back where they were, within
 * a little slack for what the kernel keeps on purpose (a new ghost index,
 * a lock class it met for the first time), and after up to 3 s for what
 * ends last (a process's last thread, deferred frees) to settle.
 *
 * Process context (the console thread); never changes what it checks.
 */
#include <wisp/kconsole.h>
#include <wisp/mm.h>
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <locks/lockdep.h>
#include <rcu/rcu.h>

#define SLACK_PAGES 8
#define SLACK_BYTES (16 * 1024)

struct figures {
    size_t pages_outside; /* in use, less the heap's slabs and cached stacks */
    size_t heap_bytes;
    unsigned processes, threads;
    uint64_t lockdep_reports;
};

static struct figures baseline;
static bool have_baseline;

static void measure(struct figures *f)
{
    struct kmem_cache_stats caches[32];
    size_t n = kmem_cache_stats(caches, 32), slab_pages = 0, stacks, stack_pages;
    for (size_t i = 0; i < n && i < 32; i++)
        slab_pages += caches[i].slab_pages;
    kstack_stats(&stacks, &stack_pages);
    f->pages_outside = pmm_total_pages() - pmm_free_page_count() - slab_pages - stack_pages;
    f->heap_bytes = kmem_bytes_in_use();
    f->processes = process_count();
    f->threads = sched_thread_count();
    f->lockdep_reports = lockdep_reports_total();
}

static bool left_behind(const struct figures *now)
{
    return have_baseline &&
           (now->pages_outside > baseline.pages_outside + SLACK_PAGES ||
            now->heap_bytes > baseline.heap_bytes + SLACK_BYTES ||
            now->processes != baseline.processes || now->threads != baseline.threads);
}

size_t selfcheck(void)
{
    size_t problems = kmem_check();
    kprintf("selfcheck: heap: %s\n", problems ? "PROBLEMS (above)" : "consistent");
    struct figures now;
    measure(&now);
    /* What ends last (a process's last thread, its waiter, deferred frees)
     * may still be on its way out: up to 3 s for it to settle. */
    for (int i = 0; i < 30 && left_behind(&now); i++) {
        rcu_barrier();
        sched_sleep_ns(100 * NSEC_PER_MSEC);
        measure(&now);
    }
    if (!have_baseline) {
        kprintf("selfcheck: baseline: %zu pages in use outside the caches, %zu heap bytes, "
                "%u processes, %u threads\n",
                now.pages_outside, now.heap_bytes, now.processes, now.threads);
    } else {
        uint64_t reports = now.lockdep_reports - baseline.lockdep_reports;
        bool pages = now.pages_outside > baseline.pages_outside + SLACK_PAGES;
        bool heap = now.heap_bytes > baseline.heap_bytes + SLACK_BYTES;
        bool tasks = now.processes != baseline.processes || now.threads != baseline.threads;
        kprintf("selfcheck: lock validator: %lu reports since the last selfcheck\n", reports);
        kprintf("selfcheck: pages in use outside the caches %zu (was %zu)%s, heap bytes %zu (was "
                "%zu)%s, processes %u (was %u), threads %u (was %u)%s\n",
                now.pages_outside, baseline.pages_outside, pages ? " LEAK" : "", now.heap_bytes,
                baseline.heap_bytes, heap ? " LEAK" : "", now.processes, baseline.processes,
                now.threads, baseline.threads, tasks ? " LEFT OVER" : "");
        problems += (reports != 0) + pages + heap + tasks;
    }
    baseline = now;
    have_baseline = true;
    kprintf("selfcheck: %s\n", problems ? "FAILED" : "ok");
    return problems;
}

static void cmd_selfcheck(void) { selfcheck(); }
KCONSOLE_COMMAND("selfcheck", cmd_selfcheck,
                 "heap consistency, and no lock report or leak since the last selfcheck");
