/* bench_zz_spread.c — Wisp only: how fast the balancer spreads a
 * program's CPU-bound threads (sched.spread).
 *
 * Named to link after every other benchmark file: kbench runs the
 * benchmarks in section order, and after this one had run, the gate
 * calls of later benchmarks in the same boot were measured 20x slower
 * (docs/BENCHMARKS.md, "Issue 14 on the fast branch"; cause not found).
 * Within a file the compiler emits them in reverse: keep it alone here. */
#include <wisp/kbench.h>
#include <wisp/process.h>
#include <wisp/percpu.h>
#include <wisp/printk.h>

#define ROUNDS 7

/* Wisp only: how long the balancer takes to spread 4 CPU-bound threads of
 * a program started pinned on CPU 0 (its threads start there, unpinned)
 * over 4 CPUs (tests/programs/spread.c, looking every millisecond). */
KBENCH(sched_spread)
{
    if (cpu_count < 4)
        return;
    const struct program *prog = program_find("spread");
    uint64_t v[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        const char *argv[] = { "spread", "4", "us" };
        int err = 0;
        struct process *p = prog ? process_spawn_on(prog, 3, argv, NULL, 0, &err) : NULL;
        int us = p ? process_wait(p) : -SYS_ENOENT;
        if (us < 0) {
            kprintf("# sched_spread: spread: %d\n", us);
            return;
        }
        v[r] = (uint64_t)us;
    }
    kbench_report("sched.spread", kbench_median(v, ROUNDS) * 1000, "us");
}
