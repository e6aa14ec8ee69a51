// SPDX-License-Identifier: GPL-2.0
/*
 * rcubench.c — Linux's own RCU, measured inside the Linux guest of
 * `make bench` to set beside Wisp's epoch figures (rcu.read_section,
 * rcu.gp_latency.*): rcu_read_lock/unlock cost and synchronize_rcu
 * latency, idle and with busy readers on every CPU. Same iteration counts,
 * rounds and reader loop as tests/kernel/bench_rcu.c.
 * Prints "bench: linux.NAME VALUE UNIT" lines to the kernel log from its
 * init, then stays loaded doing nothing (an init that failed on purpose
 * would make busybox insmod retry through init_module: two runs).
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timex.h>

#define ROUNDS     7
#define ITERATIONS 200000
#define GP_SAMPLES 21

static int compare_u64(const void *a, const void *b)
{
    u64 x = *(const u64 *)a, y = *(const u64 *)b;

    return x < y ? -1 : x > y;
}

static u64 median(u64 *v, int n)
{
    sort(v, n, sizeof(*v), compare_u64, NULL);
    return v[n / 2];
}

/* Prints value/1000 with three decimals (no floating point in the kernel). */
static void report(const char *name, u64 value_milli, const char *unit)
{
    pr_info("bench: linux.%s %llu.%03llu %s\n", name, value_milli / 1000, value_milli % 1000, unit);
}

/*
 * Grace periods with busy readers, as bench_rcu.c measure_gp(cpus, true):
 * a kthread bound to each online CPU loops on read sections of 20
 * cpu_relax() each, back to back; a synchronizing kthread bound to the last
 * CPU (which it shares with that CPU's reader) times GP_SAMPLES calls.
 * cond_resched() between sections is where this kernel (voluntary
 * preemption) lets the synchronizer in; Wisp's timer preempts its reader
 * at the same place or anywhere else.
 */
struct gp_busy {
    void (*synchronize)(void);
    u64 ns[GP_SAMPLES];
    struct completion done;
};

static int busy_reader(void *unused)
{
    int i;

    while (!kthread_should_stop()) {
        rcu_read_lock();
        for (i = 0; i < 20; i++)
            cpu_relax();
        rcu_read_unlock();
        cond_resched();
    }
    return 0;
}

static int busy_syncer(void *arg)
{
    struct gp_busy *g = arg;
    int i;

    for (i = 0; i < GP_SAMPLES; i++) {
        u64 start = ktime_get_ns();

        g->synchronize();
        g->ns[i] = ktime_get_ns() - start;
    }
    complete(&g->done);
    return 0;
}

/* Returns the median latency in ns, or 0 if a thread could not start. */
static u64 measure_gp_busy(void (*synchronize)(void))
{
    static struct gp_busy g;
    struct task_struct **readers, *syncer;
    unsigned int cpu, last = 0;
    u64 result = 0;

    readers = kcalloc(nr_cpu_ids, sizeof(*readers), GFP_KERNEL);
    if (!readers)
        return 0;
    g.synchronize = synchronize;
    init_completion(&g.done);
    for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
        if (!cpu_online(cpu))
            continue;
        readers[cpu] = kthread_create(busy_reader, NULL, "rcubench_rd/%u", cpu);
        if (IS_ERR(readers[cpu])) {
            readers[cpu] = NULL;
            goto stop;
        }
        kthread_bind(readers[cpu], cpu);
        wake_up_process(readers[cpu]);
        last = cpu;
    }
    syncer = kthread_create(busy_syncer, &g, "rcubench_sync");
    if (IS_ERR(syncer))
        goto stop;
    kthread_bind(syncer, last);
    wake_up_process(syncer);
    wait_for_completion(&g.done);
    result = median(g.ns, GP_SAMPLES);
stop:
    for (cpu = 0; cpu < nr_cpu_ids; cpu++)
        if (readers[cpu])
            kthread_stop(readers[cpu]);
    kfree(readers);
    return result;
}

static void report_gp_busy(const char *what, void (*synchronize)(void))
{
    char name[64];
    u64 ns = measure_gp_busy(synchronize);

    snprintf(name, sizeof(name), "%s.busy.cpus%u", what, num_online_cpus());
    if (ns)
        report(name, ns, "us");
    else
        pr_info("# rcubench: cannot start the reader threads for %s\n", name);
}

static int __init rcubench_init(void)
{
    u64 section[ROUNDS], gp[GP_SAMPLES];
    int r, i;

    for (r = 0; r < ROUNDS; r++) {
        u64 start = ktime_get_ns();

        for (i = 0; i < ITERATIONS; i++) {
            rcu_read_lock();
            rcu_read_unlock();
        }
        section[r] = (ktime_get_ns() - start) * 1000 / ITERATIONS;
        report("rcu_read_section", section[r], "ns");
    }
    for (i = 0; i < GP_SAMPLES; i++) {
        u64 start = ktime_get_ns();

        synchronize_rcu();
        gp[i] = ktime_get_ns() - start;
    }
    report("synchronize_rcu", median(gp, GP_SAMPLES), "us");
    for (i = 0; i < GP_SAMPLES; i++) {
        u64 start = ktime_get_ns();

        synchronize_rcu_expedited();
        gp[i] = ktime_get_ns() - start;
    }
    report("synchronize_rcu_expedited", median(gp, GP_SAMPLES), "us");
    report_gp_busy("synchronize_rcu", synchronize_rcu);
    report_gp_busy("synchronize_rcu_expedited", synchronize_rcu_expedited);
    return 0;
}

static void __exit rcubench_exit(void) {}

module_init(rcubench_init);
module_exit(rcubench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rcu_read_lock and synchronize_rcu figures for Wisp's make bench");
