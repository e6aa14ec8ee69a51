/* flavour_wisp.c — Wisp's own read path, compiled for the host from the
 * kernel's headers (rcu/rcu.h, rcu/epoch_table.h) with the shim in shim/
 * for this_cpu() and preemption. Each reader thread plays one CPU and uses
 * that CPU's record, as rcu_read_lock() does in the kernel. The grace
 * period is what rcu_synchronize() does (ck_epoch_synchronize_wait on the
 * one global epoch), spinning instead of sleeping between scans. */
#include <rcu/rcu.h>
#include <rcu/epoch_table.h>
#include <stdlib.h>

__thread struct cpu shim_cpu;
struct rcu_cpu rcu_cpus[MAX_CPUS];
static ck_epoch_t epoch;
static struct epoch_table *table;

static void flavour_init(void)
{
    ck_epoch_init(&epoch);
    for (unsigned i = 0; i < 2; i++)
        ck_epoch_register(&epoch, &rcu_cpus[i].record, NULL);
    table = calloc(1, sizeof(*table) + sizeof(void *));
    table->slot_count = 1;
}

static void thread_online(int idx) { shim_cpu.id = (uint32_t)idx; }
static void thread_offline(void) {}

#define FLAVOUR_VAR           flavour_wisp
#define FLAVOUR_NAME          "wisp_epoch"
#define READ_LOCK()           rcu_read_lock()
#define READ_UNLOCK()         rcu_read_unlock()
#define QUIESCENT()           ((void)0)
#define SLOT_LOAD()           ((struct bench_object *)epoch_slot_load(table, 0))
#define SLOT_SWAP(new_object) ((struct bench_object *)epoch_slot_publish(table, 0, (new_object)))
#define SYNCHRONIZE()         ck_epoch_synchronize_wait(&epoch, NULL, NULL)
#include "bench_loop.h"
