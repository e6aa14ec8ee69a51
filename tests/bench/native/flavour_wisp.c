/* flavour_wisp.c — Wisp's own read path, compiled for the host from the
 * kernel's headers (rcu/rcu.h, rcu/epoch_table.h) with the shim in shim/
 * for this_cpu() and preemption. Each reader thread plays one CPU: its read
 * section is rcu_read_lock()'s preemption count and nothing else, and it
 * notes a quiescent state on its CPU's count (rcu_note_quiescent) after
 * every batch of reads, where the kernel's CPUs note one at a context
 * switch or a tick. The grace period is what rcu/epoch.c's does for the
 * CPUs (fence, read the counts, wait until each online one moved, fence),
 * spinning, then yielding instead of sleeping; an offline reader is
 * quiescent, as an idle CPU is. */
#include <rcu/rcu.h>
#include <rcu/epoch_table.h>
#include <stdlib.h>
#include <sched.h>

#define READERS 2

__thread struct cpu shim_cpu;
struct rcu_cpu rcu_cpus[MAX_CPUS];
static bool reader_online[READERS];
static struct epoch_table *table;

static void flavour_init(void)
{
    table = calloc(1, sizeof(*table) + sizeof(void *));
    table->slot_count = 1;
}

static void thread_online(int idx)
{
    shim_cpu.id = (uint32_t)idx;
    __atomic_store_n(&reader_online[idx], true, __ATOMIC_SEQ_CST);
}

static void thread_offline(void)
{
    __atomic_store_n(&reader_online[shim_cpu.id], false, __ATOMIC_SEQ_CST);
}

static void wisp_synchronize(void)
{
    uint64_t seen[READERS];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (int i = 0; i < READERS; i++)
        seen[i] = __atomic_load_n(&rcu_cpus[i].quiescent, __ATOMIC_SEQ_CST);
    for (int i = 0; i < READERS; i++)
        for (unsigned spins = 0; __atomic_load_n(&reader_online[i], __ATOMIC_SEQ_CST) &&
                                 __atomic_load_n(&rcu_cpus[i].quiescent, __ATOMIC_SEQ_CST) == seen[i];
             spins++) {
            if (spins < 1024)
                __builtin_ia32_pause();
            else
                sched_yield(); /* the reader may need this core: the kernel sleeps here */
        }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#define FLAVOUR_VAR           flavour_wisp
#define FLAVOUR_NAME          "wisp_epoch"
#define READ_LOCK()           rcu_read_lock()
#define READ_UNLOCK()         rcu_read_unlock()
#define QUIESCENT()           rcu_note_quiescent(shim_cpu.id)
#define SLOT_LOAD()           ((struct bench_object *)epoch_slot_load(table, 0))
#define SLOT_SWAP(new_object) ((struct bench_object *)epoch_slot_publish(table, 0, (new_object)))
#define SYNCHRONIZE()         wisp_synchronize()
#include "bench_loop.h"
