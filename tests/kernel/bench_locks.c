/* bench_locks.c — acquire+release cost of each lock type, uncontended (one
 * thread) and contended (one thread per CPU on one lock), in ns.
 *
 * Each figure is the median over rounds (uncontended) or over every
 * thread of every round (contended) of rdtsc_ordered()-timed loops. In a
 * debug build the validator's cost is included; "lock.ck_ticket_raw" is
 * the bare ck ticket lock (no preemption, no validator) for comparison.
 */
#include <wisp/kbench.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/format.h>
#include <locks/spinlock.h>
#include <locks/mutex.h>
#include <locks/rwlock.h>
#include <locks/crit.h>

enum bl_type { BL_RAW, BL_SPIN, BL_SPIN_IRQ, BL_MUTEX, BL_READ, BL_WRITE, BL_CRIT, BL_COUNT };

static const char *const bl_names[BL_COUNT] = {
    "ck_ticket_raw", "spin", "spin_irqsave", "mutex", "rwlock_read", "rwlock_write", "crit",
};

static struct {
    ck_spinlock_ticket_t raw;
    struct spinlock spin;
    struct mutex mutex;
    struct rwlock rw;
} bl = {
    .raw = CK_SPINLOCK_TICKET_INITIALIZER,
    .spin = SPINLOCK_INIT("bench_spin"),
    .mutex = MUTEX_INIT(bl.mutex, "bench_mutex"),
    .rw = RWLOCK_INIT("bench_rwlock"),
};

static __lock_inline void bl_op(enum bl_type type)
{
    switch (type) {
    case BL_RAW: /* preemption off, as a holder must be */
        preempt_disable();
        ck_spinlock_ticket_lock(&bl.raw);
        ck_spinlock_ticket_unlock(&bl.raw);
        preempt_enable();
        break;
    case BL_SPIN:
        spin_lock(&bl.spin);
        spin_unlock(&bl.spin);
        break;
    case BL_SPIN_IRQ: {
        uint64_t flags = spin_lock_irqsave(&bl.spin);
        spin_unlock_irqrestore(&bl.spin, flags);
        break;
    }
    case BL_MUTEX:
        mutex_lock(&bl.mutex);
        mutex_unlock(&bl.mutex);
        break;
    case BL_READ:
        read_lock(&bl.rw);
        read_unlock(&bl.rw);
        break;
    case BL_WRITE:
        write_lock(&bl.rw);
        write_unlock(&bl.rw);
        break;
    case BL_CRIT:
        crit_enter();
        crit_exit();
        break;
    case BL_COUNT:
        break;
    }
}

/* Cycles for n operations. */
static uint64_t bl_loop(enum bl_type type, unsigned n)
{
    uint64_t start = rdtsc_ordered();
    for (unsigned i = 0; i < n; i++)
        bl_op(type);
    return rdtsc_ordered() - start;
}

static void report(enum bl_type type, const char *how, uint64_t cycles, unsigned n)
{
    char name[64];
    ksnprintf(name, sizeof(name), "lock.%s.%s", bl_names[type], how);
    kbench_report(name, kbench_cycles_to_ns_milli(cycles) / n, "ns");
}

KBENCH(lock_uncontended)
{
    enum { ROUNDS = 11, N = 5000 };
    for (int type = 0; type < BL_COUNT; type++) {
        uint64_t v[ROUNDS];
        bl_loop(type, N / 10); /* warm up */
        for (int r = 0; r < ROUNDS; r++)
            v[r] = bl_loop(type, N);
        report(type, "uncontended", kbench_median(v, ROUNDS), N);
    }
}

/* ---- contended: one worker per CPU, released together ----
 *
 * Each worker runs for a fixed time (not a fixed count) so that the workers
 * really overlap even when the host runs the vCPUs in turns; the figure is
 * the median, over workers and rounds, of time / operations. */

#define CONTENDED_MS     30
#define CONTENDED_ROUNDS 3

struct bl_run {
    enum bl_type type;
    volatile unsigned ready;
    volatile bool go;
    uint64_t window; /* cycles each worker runs */
    uint64_t cycles[MAX_CPUS], ops[MAX_CPUS];
};

static void bl_worker(void *arg)
{
    struct bl_run *run = arg;
    unsigned me = cpu_id();
    __atomic_add_fetch(&run->ready, 1, __ATOMIC_ACQ_REL);
    while (!READ_ONCE(run->go))
        cpu_relax();
    uint64_t start = rdtsc_ordered(), now = start, ops = 0;
    while (now - start < run->window) {
        for (int i = 0; i < 16; i++)
            bl_op(run->type);
        ops += 16;
        now = rdtsc_ordered();
    }
    run->cycles[me] = now - start;
    run->ops[me] = ops;
}

/* One figure per lock type with ncpu workers (CPUs 0..ncpu-1). */
static void bl_contended(unsigned ncpu)
{
    for (int type = 0; type < BL_COUNT; type++) {
        if (type == BL_CRIT)
            continue; /* per-CPU: nothing to contend on */
        uint64_t v[CONTENDED_ROUNDS * MAX_CPUS];
        unsigned nv = 0;
        for (int r = 0; r < CONTENDED_ROUNDS; r++) {
            static struct bl_run run;
            run = (struct bl_run){ .type = type, .window = clock_tsc_hz() / 1000 * CONTENDED_MS };
            struct thread *t[MAX_CPUS];
            for (unsigned c = 0; c < ncpu; c++)
                t[c] = thread_create("bench_lock", bl_worker, &run, (int)c);
            while (READ_ONCE(run.ready) < ncpu)
                sched_sleep_ns(NSEC_PER_MSEC);
            run.go = true;
            for (unsigned c = 0; c < ncpu; c++)
                thread_join(t[c]);
            /* Per-operation cost in milli-cycles, so that sorting keeps precision. */
            for (unsigned c = 0; c < ncpu; c++)
                v[nv++] = run.cycles[c] * 1000 / MAX(run.ops[c], 1ul);
        }
        char how[32];
        ksnprintf(how, sizeof(how), "contended%u", ncpu);
        report(type, how, kbench_median(v, (int)nv), 1000);
    }
}

/* Two CPUs, then all: under TCG with fewer host cores than vCPUs, a ticket
 * lock's next waiter is often descheduled by the host, which the all-CPU
 * figure shows (lock-waiter preemption); the two-CPU one mostly does not. */
KBENCH(lock_contended)
{
    if (cpu_count > MAX_CPUS || cpu_count < 2)
        return;
    bl_contended(2);
    if (cpu_count > 2)
        bl_contended(cpu_count);
}
