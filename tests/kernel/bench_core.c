/* bench_core.c — figures of the core: thread switch and wakeup costs. */
#include <wisp/kbench.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/cpu.h>

static void yielder(void *arg)
{
    volatile bool *stop = arg;
    while (!*stop)
        thread_yield();
}

/* Two threads yielding to each other on one CPU: cost of one switch. */
KBENCH(sched_yield_switch)
{
    enum { ROUNDS = 20000 };
    volatile bool stop = false;
    struct thread *t = thread_create("yielder", yielder, (void *)&stop, (int)cpu_id());
    thread_yield();
    uint64_t start = rdtsc_ordered();
    for (int i = 0; i < ROUNDS; i++)
        thread_yield();
    uint64_t cycles = rdtsc_ordered() - start;
    stop = true;
    thread_join(t);
    kbench_report("sched.yield_switch", kbench_cycles_to_ns_milli(cycles / (2 * ROUNDS)), "ns");
}
