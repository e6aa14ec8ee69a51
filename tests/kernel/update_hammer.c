/* update_hammer.c — the console's `hammer`: kernel threads on every CPU
 * calling counter continuously through its slots while a test pushes new
 * versions over the update line (tests/qemu/e2e_update_line.py).
 *
 * The first `hammer` starts one thread per CPU; each call is
 * counter_add(1) then counter_version() in a loop, counting its calls and
 * the versions it saw. The second `hammer` stops them and prints
 *   hammer: calls C, counter grew by D, versions 1:n 2:n 3:n
 * so that the test can check that no increment was lost across the swaps
 * (D == C) and that every version served. Console thread only.
 */
#include <wisp/printk.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
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

static void hammer_thread(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    uint64_t (*add)(uint64_t);
    uint32_t (*version)(void);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        add = (uint64_t(*)(uint64_t))sym_slot_load(add_slot);
        version = (uint32_t(*)(void))sym_slot_load(version_slot);
        add(1);
        uint32_t v = version();
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
    start_count = ((uint64_t(*)(void))sym_slot_load(read_slot))();
    stop = false;
    thread_count = 0;
    for (unsigned cpu = 0; cpu < cpu_count && cpu < HAMMER_MAX_THREADS; cpu++) {
        calls[cpu] = 0;
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
    uint64_t total = 0, versions[HAMMER_VERSIONS] = { 0 };
    for (unsigned i = 0; i < thread_count; i++) {
        thread_join(threads[i]);
        total += calls[i];
        for (unsigned v = 0; v < HAMMER_VERSIONS; v++)
            versions[v] += seen[i][v];
    }
    uint64_t grew = ((uint64_t(*)(void))sym_slot_load(read_slot))() - start_count;
    kprintf("hammer: calls %lu, counter grew by %lu, versions", total, grew);
    for (unsigned v = 0; v < HAMMER_VERSIONS; v++)
        if (versions[v])
            kprintf(" %u:%lu", v, versions[v]);
    kprintf("\n");
    thread_count = 0;
}

void update_hammer_command(void)
{
    if (thread_count)
        hammer_stop();
    else
        hammer_start();
}
