/* epoch.c — grace periods: quiescent states for the non-sleeping
 * sections, the global ck_epoch and its per-thread records for the
 * sleepable ones.
 *
 * Non-sleeping sections (rcu_read_lock: preemption off, nothing else). A
 * CPU notes a quiescent state (rcu_note_quiescent, a locked add on its
 * count) only where it runs no such section: at every context switch
 * (sched_switch_locked), in the idle loop, and at a timer tick that
 * interrupted user mode or kernel code with preemption on. A grace period
 * fences, reads every online CPU's count, and waits until each has moved.
 * Why that is enough: a section that was running when the counts were read
 * ends before its CPU's next quiescent state, and its loads come before
 * that state's store (x86 keeps a load before a later store), which the
 * grace period sees before it returns; a section that begins after that
 * quiescent state's locked add cannot read anything before the add is
 * visible, hence not before the writer's fence — so it sees the writer's
 * unpublishing store and cannot reach the old object. The expedited grace
 * period IPIs every other CPU: the handler notes a quiescent state when it
 * interrupted no section, else asks for a reschedule, which happens when
 * the section ends (preempt_enable) and is a context switch.
 *
 * Sleepable sections use ck_epoch_synchronize_wait(): it waits until every
 * active thread record has observed the current epoch, advances the epoch,
 * and does so twice. A section observes the epoch when it begins (outermost
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
#include <wisp/smp.h>
#include <string.h>

/* The one global epoch of the sleepable records. Records are pushed on its
 * list and never removed (ck_epoch's rule); unregistered records are
 * recycled. */
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
    reader_cache =
        kmem_cache_create("rcu_reader", sizeof(struct rcu_reader), _Alignof(struct rcu_reader));
    if (!reader_cache)
        panic("rcu: cannot create the reader record cache");
    rcu_reclaim_init();
}

/* How a synchronizer waits for a sleepable record that still blocks the
 * grace period: its owner may be preempted on this very CPU, or asleep:
 * spin briefly, yield for a while, then sleep a tick at a time. */
#define RCU_WAIT_SPINS     64
#define RCU_WAIT_YIELD_NS  (2 * NSEC_PER_MSEC)
/* How it waits for a CPU's quiescent state: an expedited grace period
 * spins for up to 100 us (the IPI makes it come within microseconds,
 * unless the host descheduled that vCPU), then both kinds sleep a tick at
 * a time (the tick notes the states that no one forces). A normal grace
 * period still waiting after RCU_QS_FORCE_NS forces the rest, as the
 * expedited one does: a CPU that runs one thread in back-to-back sections
 * might otherwise be caught outside a section by no tick for long. */
#define RCU_QS_SPIN_NS  (100 * NSEC_PER_USEC)
#define RCU_QS_FORCE_NS (3 * NSEC_PER_MSEC)

struct rcu_wait {
    uint64_t start_ns;
    unsigned calls;
};

static void rcu_wait_blocked(ck_epoch_t *global __unused, ck_epoch_record_t *record __unused,
                             void *arg)
{
    struct rcu_wait *w = arg;
    uint64_t waited = clock_ns() - w->start_ns;
    if (w->calls++ < RCU_WAIT_SPINS) {
        for (int i = 0; i < 16; i++)
            cpu_relax();
    } else if (waited < RCU_WAIT_YIELD_NS) {
        thread_yield();
    } else {
        sched_sleep_ns(NSEC_PER_MSEC);
    }
}

/* The expedited grace period's IPI (interrupt context, interrupts off). */
static void rcu_expedite_ipi(void *arg __unused)
{
    struct cpu *c = this_cpu();
    if (c->preempt_count == 0 && c->irq_depth == 1)
        rcu_note_quiescent(c->id); /* it interrupted no section */
    else
        c->need_resched = true; /* the section's end switches: a quiescent state */
}

static void check_context(const char *what)
{
    if (rcu_read_lock_held())
        panic("%s from a non-sleeping context (cpu%u, preempt_count %d, interrupts %s)", what,
              cpu_id(), this_cpu()->preempt_count, irqs_enabled() ? "on" : "off");
}

/* Waits until every online CPU has passed a quiescent state after the call. */
static void wait_for_cpus(bool expedited)
{
    uint64_t seen[MAX_CPUS];
    /* Full fence: the caller's unpublishing stores are visible before the
     * counts are read (pairs with the locked add of rcu_note_quiescent). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned cpu = 0; cpu < cpu_count; cpu++)
        seen[cpu] = __atomic_load_n(&rcu_cpus[cpu].quiescent, __ATOMIC_SEQ_CST);
    if (expedited)
        smp_call_others(rcu_expedite_ipi, NULL);
    preempt_disable();
    rcu_note_quiescent(cpu_id()); /* ours: we are in no section */
    preempt_enable();
    uint64_t start = clock_ns(), forced = expedited ? start : 0;
    for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
        while (__atomic_load_n(&cpus[cpu].online, __ATOMIC_ACQUIRE) &&
               __atomic_load_n(&rcu_cpus[cpu].quiescent, __ATOMIC_SEQ_CST) == seen[cpu]) {
            uint64_t now = clock_ns();
            if (expedited && now - start < RCU_QS_SPIN_NS) {
                cpu_relax();
                continue;
            }
            if (now - (forced ? forced : start) >= RCU_QS_FORCE_NS) {
                smp_call_others(rcu_expedite_ipi, NULL); /* again, for a missed reschedule */
                forced = now;
            }
            sched_sleep_ns(NSEC_PER_MSEC);
        }
    }
    /* Full fence: the counts are read before the caller frees anything. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void synchronize(bool expedited)
{
    wait_for_cpus(expedited);
    struct rcu_wait w = { clock_ns(), 0 };
    /* ck_epoch_synchronize_wait starts and ends with a full fence: stores
     * before the call are visible before the records are scanned (pairs
     * with the exchange in ck_epoch_begin), and the scan's loads complete
     * before the caller frees anything. */
    ck_epoch_synchronize_wait(&rcu_epoch, rcu_wait_blocked, &w);
    ck_pr_inc_64(&gp_completed);
}

void rcu_synchronize(void)
{
    check_context("rcu_synchronize");
    synchronize(false);
}

void rcu_synchronize_expedited(void)
{
    check_context("rcu_synchronize_expedited");
    synchronize(true);
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
