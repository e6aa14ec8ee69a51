/* rcu.h — epoch-based read-copy-update on Concurrency Kit's ck_epoch.
 *
 * One global epoch (a ck_epoch_t). Readers announce themselves on an epoch
 * record; a writer that has unpublished an object waits for a grace period
 * (rcu_synchronize) or hands the object to rcu_call(), and frees it only
 * when no reader can still hold it. See rcu/README.md for the design.
 *
 * Two kinds of read-side sections, both nestable, both seen by every grace
 * period:
 *
 *   rcu_read_lock() / rcu_read_unlock()
 *       On the CPU's own record, with preemption disabled. Any context:
 *       thread, interrupt handler, inside other sections. MUST NOT sleep.
 *       Preemption is off because a ck_epoch record is not shareable by
 *       concurrent users: were the section preempted, another thread on the
 *       same CPU could enter and leave the same record and corrupt its
 *       active/epoch pair. Interrupts are fine: a handler's section nests
 *       inside the interrupted one and leaves the record as it found it.
 *
 *   rcu_read_lock_sleepable(r) / rcu_read_unlock_sleepable(r)
 *       On a record owned by one thread (struct rcu_reader, from
 *       rcu_reader_get()). Thread context only. MAY sleep and be preempted:
 *       nobody else uses the record. Every grace period waits for these
 *       sections too, so a sleeping reader delays all reclamation: sleep
 *       for bounded times only.
 *
 * Writers: rcu_synchronize() waits for every section (of either kind) that
 * began before it; rcu_call() runs a callback after such a grace period, in
 * the reclaimer thread; rcu_barrier() waits for every callback queued before
 * it. A grace period never waits for sections that begin after it has
 * advanced the epoch, so readers entering and leaving continuously on every
 * CPU cannot starve a writer (ck_epoch_synchronize_wait semantics).
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/percpu.h>
#include <wisp/sched.h>
#include <ck_epoch.h>

/* ---- Read side ---------------------------------------------------------- */

/* The per-CPU part of RCU. The record is used only by its own CPU with
 * preemption off (see above); cb_lock protects the callback queue. */
struct rcu_head;
struct rcu_cpu {
    ck_epoch_record_t record;
    struct spinlock cb_lock;   /* protects cb_first, cb_last */
    struct rcu_head *cb_first; /* FIFO of callbacks queued on this CPU */
    struct rcu_head **cb_last;
} __cacheline_aligned;

extern struct rcu_cpu rcu_cpus[MAX_CPUS];

/* Enters a non-sleeping read-side section. Any context; nests. */
static inline void rcu_read_lock(void)
{
    preempt_disable();
    /* The outermost begin stores record->active with an atomic exchange (a
     * full fence on x86): the section's loads cannot be satisfied before
     * the record is seen active. Pairs with the fence at the start of
     * rcu_synchronize() (ck_epoch_synchronize_wait) before it scans the
     * records: either the writer sees this record active, or this section
     * sees everything the writer stored before synchronizing. */
    ck_epoch_begin(&rcu_cpus[cpu_id()].record, NULL);
}

/* Leaves a section entered with rcu_read_lock(). */
static inline void rcu_read_unlock(void)
{
    /* ck_epoch_end: a release fence (a compiler barrier on x86, which does
     * not reorder loads with later stores) orders the section's loads
     * before the store that marks the record inactive. Pairs with the
     * writer's scan: once it reads the record inactive, reclaiming is safe. */
    ck_epoch_end(&rcu_cpus[cpu_id()].record, NULL);
    preempt_enable();
}

/* True when the caller is inside an rcu_read_lock() section on this CPU. */
static inline bool rcu_read_lock_held(void) { return rcu_cpus[cpu_id()].record.active != 0; }

/* A thread's own epoch record, for sections that may sleep. */
struct rcu_reader {
    ck_epoch_record_t record;
};

/* Returns a reader record for the calling thread (recycled or new, from
 * its own slab cache). Thread context; may sleep; NULL when memory runs
 * out. Records are never freed: ck_epoch keeps them on its list;
 * rcu_reader_put() makes one reusable. */
struct rcu_reader *rcu_reader_get(void);
/* Gives the record back. The caller must not be inside a section on it. */
void rcu_reader_put(struct rcu_reader *reader);

/* Enters a sleepable section on the caller's own record. Thread context;
 * nests; the section may sleep. Same fences as rcu_read_lock(). */
static inline void rcu_read_lock_sleepable(struct rcu_reader *reader)
{
    ck_epoch_begin(&reader->record, NULL);
}

static inline void rcu_read_unlock_sleepable(struct rcu_reader *reader)
{
    ck_epoch_end(&reader->record, NULL);
}

/* ---- Write side ----------------------------------------------------------- */

/* Waits until every read-side section that began before the call has
 * ended. Process context, may sleep, must not be called inside a
 * non-sleeping section (panics: it would wait for itself). Safe to call
 * from several threads at once. */
void rcu_synchronize(void);

struct rcu_head {
    struct rcu_head *next;
    void (*fn)(struct rcu_head *head);
};
typedef void (*rcu_callback_fn)(struct rcu_head *head);

/* Queues fn(head) to run after a grace period, in the reclaimer thread
 * (process context; callbacks run one after another, so they must not
 * block for long). Any context, including interrupt handlers and read
 * sections; never sleeps. Callbacks queued on one CPU run in order. */
void rcu_call(struct rcu_head *head, rcu_callback_fn fn);

/* Waits until every callback queued (by rcu_call) before the call has run.
 * Process context, may sleep; not from a callback (the reclaimer would
 * wait for itself). */
void rcu_barrier(void);

/* ---- Setup and figures ---------------------------------------------------- */

/* Registers the per-CPU records and starts the reclaimer. BSP, once, after
 * the APs are up and the scheduler is initialised; no section, rcu_call or
 * synchronize may come before it (kernel_entry calls it before sym_init). */
void rcu_init(void);
/* Grace periods completed so far (rcu_synchronize returns, including the
 * reclaimer's). Monotonic; for forward-progress checks. */
uint64_t rcu_gp_count(void);
/* The global epoch value (advances while grace periods are in progress). */
unsigned rcu_epoch_value(void);
/* Callbacks queued and not yet run. */
uint64_t rcu_callbacks_pending(void);
