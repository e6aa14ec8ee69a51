/* bench_rcu.c — figures of the epochs: read-side section cost, the slot
 * call path against a direct call, grace-period latency on 1, 2 and 4 CPUs
 * (idle and with busy readers), and read-side throughput from 1 to 4 CPUs.
 *
 * Costs are rdtsc_ordered() around many iterations, median of ROUNDS
 * rounds. Under TCG they describe the emulator as much as the code: compare
 * figures of one run with each other (ratios), not with real hardware. */
#include <wisp/kbench.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/format.h>
#include <wisp/printk.h>
#include <rcu/rcu.h>
#include <rcu/epoch_table.h>

#define ROUNDS     7
#define ITERATIONS 200000

/* ---- read-side cost ------------------------------------------------------- */

typedef int (*bench_fn)(int);

static volatile int sink;

/* noipa: the compiler may neither inline nor specialise it, so the direct
 * call stays a real call. */
__attribute__((noipa)) static int bench_target(int x) { return x + 1; }

static uint64_t cycles_section(void)
{
    uint64_t start = rdtsc_ordered();
    for (int i = 0; i < ITERATIONS; i++) {
        rcu_read_lock();
        rcu_read_unlock();
    }
    return rdtsc_ordered() - start;
}

static uint64_t cycles_sleepable_section(struct rcu_reader *reader)
{
    uint64_t start = rdtsc_ordered();
    for (int i = 0; i < ITERATIONS; i++) {
        rcu_read_lock_sleepable(reader);
        rcu_read_unlock_sleepable(reader);
    }
    return rdtsc_ordered() - start;
}

static uint64_t cycles_direct_call(void)
{
    int acc = 0;
    uint64_t start = rdtsc_ordered();
    for (int i = 0; i < ITERATIONS; i++)
        acc += bench_target(i);
    uint64_t cycles = rdtsc_ordered() - start;
    sink = acc;
    return cycles;
}

/* The path the symbol table will use: enter, load the slot, call, leave. */
static uint64_t cycles_slot_call(struct epoch_table *table)
{
    int acc = 0;
    uint64_t start = rdtsc_ordered();
    for (int i = 0; i < ITERATIONS; i++) {
        rcu_read_lock();
        bench_fn fn = (bench_fn)epoch_slot_load(table, 0);
        acc += fn(i);
        rcu_read_unlock();
    }
    uint64_t cycles = rdtsc_ordered() - start;
    sink = acc;
    return cycles;
}

static void report_ns(const char *name, uint64_t cycles_per_round)
{
    kbench_report(name, kbench_cycles_to_ns_milli(cycles_per_round) / ITERATIONS, "ns");
}

KBENCH(rcu_read_side)
{
    uint64_t section[ROUNDS], sleepable[ROUNDS], direct[ROUNDS], slot[ROUNDS];
    struct epoch_table *table = epoch_table_create(1);
    struct rcu_reader *reader = rcu_reader_get();
    if (!table || !reader) {
        kprintf("# rcu_read_side: out of memory\n");
        return;
    }
    epoch_slot_publish(table, 0, (void *)bench_target);
    for (int r = 0; r < ROUNDS; r++) {
        section[r] = cycles_section();
        sleepable[r] = cycles_sleepable_section(reader);
        direct[r] = cycles_direct_call();
        slot[r] = cycles_slot_call(table);
    }
    uint64_t d = kbench_median(direct, ROUNDS), s = kbench_median(slot, ROUNDS);
    report_ns("rcu.read_section", kbench_median(section, ROUNDS));
    report_ns("rcu.read_section_sleepable", kbench_median(sleepable, ROUNDS));
    report_ns("rcu.direct_call", d);
    report_ns("rcu.slot_call", s);
    kbench_report("rcu.slot_call_vs_direct", d ? s * 1000 / d : 0, "x");
    rcu_reader_put(reader);
    epoch_table_destroy(table);
}

/* ---- grace-period latency ---------------------------------------------------- */

struct gp_reader {
    volatile bool *stop;
    bool busy; /* busy: back-to-back sections; idle: one per ms */
};

static void gp_reader_thread(void *arg)
{
    struct gp_reader *r = arg;
    while (!*r->stop) {
        rcu_read_lock();
        for (int i = 0; i < 20; i++)
            cpu_relax();
        rcu_read_unlock();
        if (!r->busy)
            sched_sleep_ns(NSEC_PER_MSEC);
    }
}

#define GP_SAMPLES 21

struct gp_syncer {
    uint64_t ns[GP_SAMPLES];
};

static void gp_syncer_thread(void *arg)
{
    struct gp_syncer *s = arg;
    for (int i = 0; i < GP_SAMPLES; i++) {
        uint64_t start = clock_ns();
        rcu_synchronize();
        s->ns[i] = clock_ns() - start;
    }
}

/* Readers pinned to CPUs 0..cpus-1; the synchronizer on the last CPU. */
static void measure_gp(unsigned cpus, bool busy)
{
    volatile bool stop = false;
    struct gp_reader readers[MAX_CPUS];
    struct thread *threads[MAX_CPUS];
    unsigned started = 0;
    for (unsigned i = 0; i < cpus; i++, started++) {
        readers[i] = (struct gp_reader){ &stop, busy };
        threads[i] = thread_create("gp_reader", gp_reader_thread, &readers[i], (int)i);
        if (!threads[i])
            break;
    }
    struct gp_syncer s;
    struct thread *st = started == cpus
                            ? thread_create("gp_syncer", gp_syncer_thread, &s, (int)cpu_count - 1)
                            : NULL;
    if (st)
        thread_join(st);
    stop = true;
    for (unsigned i = 0; i < started; i++)
        thread_join(threads[i]);
    if (!st) {
        kprintf("# rcu_grace_period: cannot create threads\n");
        return;
    }
    char name[48];
    ksnprintf(name, sizeof(name), "rcu.gp_latency.%s.cpus%u", busy ? "busy" : "idle", cpus);
    kbench_report(name, kbench_median(s.ns, GP_SAMPLES), "us");
}

KBENCH(rcu_grace_period)
{
    static const unsigned counts[] = { 1, 2, 4 };
    rcu_barrier();
    for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
        if (counts[i] > cpu_count)
            break;
        measure_gp(counts[i], false);
        measure_gp(counts[i], true);
    }
}

/* ---- read-side throughput ------------------------------------------------------ */

#define SCALING_ROUNDS 3
#define SCALING_NS     (200 * NSEC_PER_MSEC)

struct throughput_reader {
    struct epoch_table *table;
    volatile bool *go, *stop;
    uint64_t reads, ns;
};

static void throughput_thread(void *arg)
{
    struct throughput_reader *r = arg;
    int acc = 0;
    while (!*r->go)
        cpu_relax();
    uint64_t start = clock_ns(), reads = 0;
    while (!*r->stop) {
        for (int i = 0; i < 256; i++) {
            rcu_read_lock();
            bench_fn fn = (bench_fn)epoch_slot_load(r->table, 0);
            acc += fn(i);
            rcu_read_unlock();
        }
        reads += 256;
    }
    r->ns = clock_ns() - start;
    r->reads = reads;
    sink = acc;
}

/* Reads per second, summed over readers on CPUs 0..cpus-1 (each reader
 * divides by the time it ran itself). */
static uint64_t measure_throughput(struct epoch_table *table, unsigned cpus)
{
    volatile bool go = false, stop = false;
    struct throughput_reader readers[MAX_CPUS];
    struct thread *threads[MAX_CPUS];
    unsigned started = 0;
    for (unsigned i = 0; i < cpus; i++, started++) {
        readers[i] = (struct throughput_reader){ table, &go, &stop, 0, 0 };
        threads[i] = thread_create("rcu_tput", throughput_thread, &readers[i], (int)i);
        if (!threads[i])
            break;
    }
    go = true;
    sched_sleep_ns(SCALING_NS);
    stop = true;
    uint64_t per_second = 0;
    for (unsigned i = 0; i < started; i++) {
        thread_join(threads[i]);
        if (readers[i].ns)
            per_second += readers[i].reads * NSEC_PER_SEC / readers[i].ns;
    }
    return started == cpus ? per_second : 0;
}

KBENCH(rcu_read_scaling)
{
    static const unsigned counts[] = { 1, 2, 4 };
    struct epoch_table *table = epoch_table_create(1);
    if (!table)
        return;
    epoch_slot_publish(table, 0, (void *)bench_target);
    uint64_t one = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(counts); i++) {
        if (counts[i] > cpu_count)
            break;
        uint64_t v[SCALING_ROUNDS];
        for (int r = 0; r < SCALING_ROUNDS; r++)
            v[r] = measure_throughput(table, counts[i]);
        uint64_t m = kbench_median(v, SCALING_ROUNDS);
        char name[48];
        ksnprintf(name, sizeof(name), "rcu.read_throughput.cpus%u", counts[i]);
        kbench_report(name, m / 1000, "Mreads/s");
        if (counts[i] == 1)
            one = m;
        else if (one) {
            ksnprintf(name, sizeof(name), "rcu.read_scaling.cpus%u", counts[i]);
            kbench_report(name, m * 1000 / one, "x");
        }
    }
    epoch_table_destroy(table);
}
