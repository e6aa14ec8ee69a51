/* test_migrate.c — threads that move between CPUs (kernel/sched/migrate.c):
 * the balancer spreads CPU-bound threads, affinity pins and moves a
 * thread, a thread woken on a busy CPU goes to an idle one. Dispatch and
 * epochs under migration: the swap and epoch tortures (tests/torture/). */
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/process.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include "tests/kernel/programs.h"

/* The spread program (tests/programs/spread.c) started pinned on CPU 0:
 * its threads start there, unpinned, and only the balancer can move them.
 * The time it took is printed (the figure is make bench's, not a bound). */
KTEST(sched_cpu_bound_threads_started_on_one_cpu_spread_over_the_cpus)
{
    if (cpu_count < 2)
        return;
    const struct program *prog = program_find("spread");
    KASSERT_TRUE(prog != NULL);
    char n[2] = { (char)('0' + (cpu_count < 4 ? cpu_count : 4)), 0 };
    const char *argv[] = { "spread", n };
    int err = 0;
    uint64_t migrations = sched_migrations();
    struct process *p = process_spawn_on(prog, 2, argv, NULL, 0, &err);
    KASSERT_TRUE(p != NULL);
    KEXPECT_EQ(process_wait(p), 0);
    KEXPECT_GT(sched_migrations() - migrations, 0);
}

struct mover {
    volatile bool stop;
    volatile int cpu; /* where it last ran */
};

static void report_cpu(void *arg)
{
    struct mover *m = arg;
    while (!m->stop) {
        preempt_disable();
        m->cpu = (int)cpu_id();
        preempt_enable();
        cpu_relax();
    }
}

/* Waits up to 2 s for m to report cpu; true when it did. */
static bool runs_on(struct mover *m, int cpu)
{
    for (int i = 0; i < 2000 && m->cpu != cpu; i++)
        sched_sleep_ns(NSEC_PER_MSEC);
    return m->cpu == cpu;
}

KTEST(sched_affinity_moves_a_running_thread_and_keeps_it_there)
{
    struct mover m = { .cpu = -1 };
    struct thread *t = thread_create("mover", report_cpu, &m, -1);
    KASSERT_TRUE(t != NULL);
    for (unsigned k = 0; k < cpu_count; k++) {
        int cpu = (int)((k + 1) % cpu_count);
        KEXPECT_EQ(thread_set_affinity(t, cpu), 0);
        KEXPECT_TRUE(runs_on(&m, cpu));
        sched_sleep_ns(20 * NSEC_PER_MSEC); /* two slices: still there */
        KEXPECT_EQ(m.cpu, cpu);
        KEXPECT_EQ(t->pinned_cpu, cpu);
    }
    /* Bad CPUs are refused and change nothing. */
    int pinned = t->pinned_cpu;
    KEXPECT_EQ(thread_set_affinity(t, (int)cpu_count), -1);
    KEXPECT_EQ(thread_set_affinity(t, -2), -1);
    KEXPECT_EQ(t->pinned_cpu, pinned);
    KEXPECT_EQ(thread_set_affinity(t, -1), 0);
    m.stop = true;
    thread_join(t);
}

static struct wait_queue sleeper_wq = WAIT_QUEUE_INIT(sleeper_wq);
static volatile bool sleeper_go;

static bool go(void *arg __unused) { return sleeper_go; }

static void wait_then_report(void *arg)
{
    struct mover *m = arg;
    wait_queue_wait(&sleeper_wq, go, NULL);
    preempt_disable();
    m->cpu = (int)cpu_id();
    preempt_enable();
}

static void spin_until_stop(void *arg)
{
    volatile bool *stop = arg;
    while (!*stop)
        cpu_relax();
}

/* An unpinned thread that blocked on CPU 1, woken while a pinned spinner
 * keeps CPU 1 busy, runs elsewhere (an idle CPU takes it at the wake-up,
 * or the balancer pulls it from CPU 1's queue). */
KTEST(sched_thread_woken_on_a_busy_cpu_runs_on_another)
{
    if (cpu_count < 3)
        return;
    struct mover m = { .cpu = -1 };
    volatile bool stop = false;
    sleeper_go = false;
    struct thread *sleeper = thread_create("sleeper", wait_then_report, &m, 1);
    KASSERT_TRUE(sleeper != NULL);
    sched_sleep_ns(5 * NSEC_PER_MSEC); /* it blocks on CPU 1 */
    KEXPECT_EQ(thread_set_affinity(sleeper, -1), 0);
    struct thread *spinner = thread_create("spinner", spin_until_stop, (void *)&stop, 1);
    KASSERT_TRUE(spinner != NULL);
    sched_sleep_ns(5 * NSEC_PER_MSEC);
    uint64_t moves = sleeper->migrations;
    sleeper_go = true;
    wake_up_all(&sleeper_wq);
    for (int i = 0; i < 2000 && m.cpu < 0; i++)
        sched_sleep_ns(NSEC_PER_MSEC);
    KEXPECT_TRUE(m.cpu >= 0);
    KEXPECT_NE(m.cpu, 1);
    KEXPECT_GT(sleeper->migrations, moves);
    stop = true;
    thread_join(spinner);
    thread_join(sleeper);
}
