/* update_hammer.c — the console's `hammer`: kernel threads on every CPU
 * calling counter continuously through its slots while a test pushes new
 * versions over the update line (tests/qemu/e2e_update_line.py).
 *
 * The first `hammer` starts one thread per CPU; each call is
 * counter_add(1) then counter_version() in a loop, counting its calls and
 * the versions it saw. Every 16th round is a call chain instead: it enters
 * counter as counter_version's dispatch thunk does (the outermost entry,
 * which pins a version and returns its code, whose result is that
 * version's tag), then calls counter_add and counter_version through their
 * slots, nested in the chain; a nested tag other than the outermost one
 * is a mixed chain. The second `hammer` stops them and prints
 *   hammer: calls C, counter grew by D, versions 1:n 2:n 3:n, chains K, mixed M
 * so that the test can check that no increment was lost across the swaps
 * (D == C), that every version served and that no chain mixed versions
 * (M == 0). Console thread only.
 *
 * `qhammer` does the same for qcounter, whose export is `reentrant no`:
 * one thread calls qcounter_add(1) in a loop and checks that each call
 * returns the total before it plus one, so that a quiescent swap with a
 * state conversion (qcounter 2.0) lands between two calls of a running
 * caller, which it must hold and release with nothing lost. The second
 * `qhammer` stops it and prints
 *   qhammer: calls C, qcounter grew by D, gaps G
 * (D == C and G == 0 when no increment was lost or doubled).
 */
#include <wisp/printk.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/kconsole.h>
#include "modload/dispatch.h"
#include "modload/module.h"
#include "modload/symtab.h"

#define HAMMER_MAX_THREADS 16
#define HAMMER_VERSIONS    8

static struct thread *threads[HAMMER_MAX_THREADS];
static unsigned thread_count;
static bool stop;
static uint32_t add_slot, version_slot, read_slot;
static uint64_t start_count;
static uint64_t calls[HAMMER_MAX_THREADS];
static uint64_t seen[HAMMER_MAX_THREADS][HAMMER_VERSIONS];
static uint64_t chains[HAMMER_MAX_THREADS], mixed[HAMMER_MAX_THREADS];
static struct mod_identity *counter_identity;
static int version_export;

/* One chain: outermost entry, then two nested calls through the slots. */
static uint32_t hammer_chain(unsigned me, uint64_t (*add)(uint64_t), uint32_t (*version)(void))
{
    uint32_t (*pinned)(void) = mod_dispatch_enter(counter_identity, (uint32_t)version_export);
    uint32_t tag = pinned();
    add(1);
    mixed[me] += version() != tag;
    mod_dispatch_exit(counter_identity);
    chains[me]++;
    return tag;
}

static void hammer_thread(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    uint64_t (*add)(uint64_t);
    uint32_t (*version)(void);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        add = (uint64_t(*)(uint64_t))sym_slot_load(add_slot);
        version = (uint32_t(*)(void))sym_slot_load(version_slot);
        uint32_t v;
        if ((calls[me] & 15) == 15) {
            v = hammer_chain(me, add, version);
        } else {
            add(1);
            v = version();
        }
        calls[me]++;
        seen[me][v < HAMMER_VERSIONS ? v : 0]++;
        if ((calls[me] & 1023) == 0)
            thread_yield();
    }
}

static void hammer_start(void)
{
    struct mod_error err;
    if (module_bind("counter_add", &add_slot, &err) ||
        module_bind("counter_version", &version_slot, &err) ||
        module_bind("counter_read", &read_slot, &err)) {
        kprintf("hammer: %s\n", err.message);
        return;
    }
    struct module *m = module_find("counter");
    if (!m) {
        kprintf("hammer: counter is not loaded\n");
        return;
    }
    counter_identity = m->identity; /* kept across versions */
    version_export = mod_dispatch_export_index(m->identity, "counter_version");
    start_count = ((uint64_t(*)(void))sym_slot_load(read_slot))();
    stop = false;
    thread_count = 0;
    for (unsigned cpu = 0; cpu < cpu_count && cpu < HAMMER_MAX_THREADS; cpu++) {
        calls[cpu] = chains[cpu] = mixed[cpu] = 0;
        for (unsigned v = 0; v < HAMMER_VERSIONS; v++)
            seen[cpu][v] = 0;
        threads[cpu] = thread_create("hammer", hammer_thread, (void *)(uintptr_t)cpu, (int)cpu);
        if (!threads[cpu])
            break;
        thread_count++;
    }
    kprintf("hammer: started on %u CPUs\n", thread_count);
}

static void hammer_stop(void)
{
    __atomic_store_n(&stop, true, __ATOMIC_RELEASE);
    uint64_t total = 0, versions[HAMMER_VERSIONS] = { 0 }, all_chains = 0, all_mixed = 0;
    for (unsigned i = 0; i < thread_count; i++) {
        thread_join(threads[i]);
        total += calls[i];
        all_chains += chains[i];
        all_mixed += mixed[i];
        for (unsigned v = 0; v < HAMMER_VERSIONS; v++)
            versions[v] += seen[i][v];
    }
    uint64_t grew = ((uint64_t(*)(void))sym_slot_load(read_slot))() - start_count;
    kprintf("hammer: calls %lu, counter grew by %lu, versions", total, grew);
    for (unsigned v = 0; v < HAMMER_VERSIONS; v++)
        if (versions[v])
            kprintf(" %u:%lu", v, versions[v]);
    kprintf(", chains %lu, mixed %lu\n", all_chains, all_mixed);
    thread_count = 0;
}

static struct thread *qthread;
static bool qstop;
static uint32_t qadd_slot;
static uint64_t qcalls, qgrew, qgaps;

static void qhammer_thread(void *arg __unused)
{
    uint64_t (*add)(uint64_t) = (uint64_t(*)(uint64_t))sym_slot_load(qadd_slot);
    uint64_t first = add(1), last = first;
    qcalls = 1;
    while (!__atomic_load_n(&qstop, __ATOMIC_ACQUIRE)) {
        add = (uint64_t(*)(uint64_t))sym_slot_load(qadd_slot);
        uint64_t total = add(1);
        qgaps += total != last + 1;
        last = total;
        if ((++qcalls & 1023) == 0)
            thread_yield();
    }
    qgrew = last - first + 1;
}

static void update_qhammer_command(void)
{
    struct mod_error err;
    if (qthread) {
        __atomic_store_n(&qstop, true, __ATOMIC_RELEASE);
        thread_join(qthread);
        qthread = NULL;
        kprintf("qhammer: calls %lu, qcounter grew by %lu, gaps %lu\n", qcalls, qgrew, qgaps);
        return;
    }
    if (module_bind("qcounter_add", &qadd_slot, &err)) {
        kprintf("qhammer: %s\n", err.message);
        return;
    }
    qstop = false;
    qcalls = qgrew = qgaps = 0;
    qthread = thread_create("qhammer", qhammer_thread, NULL, -1);
    kprintf(qthread ? "qhammer: started\n" : "qhammer: no memory\n");
}

static void update_hammer_command(void)
{
    if (thread_count)
        hammer_stop();
    else
        hammer_start();
}

KCONSOLE_COMMAND("hammer", update_hammer_command,
                 "start / stop threads on every CPU calling counter (update tests)");
KCONSOLE_COMMAND("qhammer", update_qhammer_command,
                 "start / stop a thread calling qcounter (update tests)");
