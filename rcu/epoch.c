/* epoch.c — the global epoch, its records and grace-period detection.
 *
 * Grace periods are ck_epoch_synchronize_wait(): it waits until every
 * active record has observed the current epoch, advances the epoch, and
 * does so twice. A section observes the epoch when it begins (outermost
 * entry only), so a reader that keeps entering and leaving picks up the new
 * epoch at its next entry and stops blocking the writer: only sections that
 * began before the writer's advance are waited for. Callbacks (rcu_call)
 * live in reclaim.c and use rcu_synchronize() below.
 */
#include <rcu/rcu.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <wisp/mm.h>
#include <wisp/cpu.h>
#include <string.h>

/* The one global epoch. Records are pushed on its list and never removed
 * (ck_epoch's rule); unregistered records are recycled. */
static ck_epoch_t rcu_epoch;
struct rcu_cpu rcu_cpus[MAX_CPUS];
static uint64_t gp_completed;
/* Reader records live in their own slab pages: they are written on every
 * section entry and exit, and are never freed (see rcu_reader_get). */
static struct kmem_cache *reader_cache;

void rcu_reclaim_init(void); /* reclaim.c */

void rcu_init(void)
{
    ck_epoch_init(&rcu_epoch);
    for (unsigned i = 0; i < cpu_count; i++)
        ck_epoch_register(&rcu_epoch, &rcu_cpus[i].record, NULL);
    reader_cache =
        kmem_cache_create("rcu_reader", sizeof(struct rcu_reader), _Alignof(struct rcu_reader));
    if (!reader_cache)
        panic("rcu: cannot create the reader record cache");
    rcu_reclaim_init();
}

/* How a synchronizer waits for a record that still blocks the grace period.
 * A CPU's record is held by a non-sleeping section on another CPU (ours is
 * inactive while we run): it normally leaves within microseconds, so spin
 * for up to 100 us. Past that, the reader's vCPU has probably been
 * descheduled by the hypervisor (TCG on few host cores does so for
 * milliseconds): sleep a tick at a time, which also gives the host core
 * back. Yielding would not help: it hands our CPU to a runnable thread for
 * a whole time slice. A thread's sleepable record may belong to a thread
 * preempted on this very CPU: spin briefly, yield for a while, then sleep. */
#define RCU_WAIT_SPINS       64
#define RCU_WAIT_CPU_SPIN_NS (100 * NSEC_PER_USEC)
#define RCU_WAIT_YIELD_NS    (2 * NSEC_PER_MSEC)

struct rcu_wait {
    uint64_t start_ns;
    unsigned calls;
};

static bool is_cpu_record(const ck_epoch_record_t *record)
{
    return (const char *)record >= (const char *)&rcu_cpus[0] &&
           (const char *)record < (const char *)&rcu_cpus[MAX_CPUS];
}

static void rcu_wait_blocked(ck_epoch_t *global __unused, ck_epoch_record_t *record, void *arg)
{
    struct rcu_wait *w = arg;
    uint64_t waited = clock_ns() - w->start_ns;
    bool cpu_record = is_cpu_record(record);
    if (w->calls++ < RCU_WAIT_SPINS || (cpu_record && waited < RCU_WAIT_CPU_SPIN_NS)) {
        for (int i = 0; i < 16; i++)
            cpu_relax();
    } else if (!cpu_record && waited < RCU_WAIT_YIELD_NS) {
        thread_yield();
    } else {
        sched_sleep_ns(NSEC_PER_MSEC);
    }
}

void rcu_synchronize(void)
{
    if (rcu_read_lock_held() || !preemptible())
        panic("rcu_synchronize from a non-sleeping context (cpu%u, preempt_count %d, "
              "read section %s)",
              cpu_id(), this_cpu()->preempt_count, rcu_read_lock_held() ? "held" : "not held");
    struct rcu_wait w = { clock_ns(), 0 };
    /* ck_epoch_synchronize_wait starts and ends with a full fence: stores
     * before the call (unpublishing an object) are visible before the
     * records are scanned (pairs with the exchange in ck_epoch_begin), and
     * the scan's loads complete before the caller frees anything. */
    ck_epoch_synchronize_wait(&rcu_epoch, rcu_wait_blocked, &w);
    ck_pr_inc_64(&gp_completed);
}

uint64_t rcu_gp_count(void) { return ck_pr_load_64(&gp_completed); }

unsigned rcu_epoch_value(void) { return ck_epoch_value(&rcu_epoch); }

struct rcu_reader *rcu_reader_get(void)
{
    ck_epoch_record_t *record = ck_epoch_recycle(&rcu_epoch, NULL);
    if (record)
        return container_of(record, struct rcu_reader, record);
    struct rcu_reader *reader = kmem_cache_alloc(reader_cache);
    if (!reader)
        return NULL;
    memset(reader, 0, sizeof(*reader));
    ck_epoch_register(&rcu_epoch, &reader->record, NULL);
    return reader;
}

void rcu_reader_put(struct rcu_reader *reader)
{
    if (reader->record.active)
        panic("rcu_reader_put: record %p is inside a section (depth %u)", (void *)reader,
              reader->record.active);
    ck_epoch_unregister(&reader->record);
}
