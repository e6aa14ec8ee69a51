// SPDX-License-Identifier: GPL-2.0
/*
 * rcubench.c — Linux's own RCU, measured inside the Linux guest of
 * `make bench` to set beside Wisp's epoch figures (rcu.read_section,
 * rcu.gp_latency.*): rcu_read_lock/unlock cost and synchronize_rcu
 * latency. Same iteration counts and rounds as tests/kernel/bench_rcu.c.
 * Prints "bench: linux.NAME VALUE UNIT" lines to the kernel log from its
 * init, then stays loaded doing nothing (an init that failed on purpose
 * would make busybox insmod retry through init_module: two runs).
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/ktime.h>
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
    return 0;
}

static void __exit rcubench_exit(void) {}

module_init(rcubench_init);
module_exit(rcubench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rcu_read_lock and synchronize_rcu figures for Wisp's make bench");
