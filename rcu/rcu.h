/* rcu.h — read-copy-update: quiescent states for non-sleeping sections,
 * Concurrency Kit's ck_epoch for sleepable ones.
 *
 * A writer that has unpublished an object waits for a grace period
 * (rcu_synchronize) or hands the object to rcu_call(), and frees it only
 * when no reader can still hold it. See rcu/README.md for the design.
 *
 * Two kinds of read-side sections, both nestable, both seen by every grace
 * period:
 *
 *   rcu_read_lock() / rcu_read_unlock()
 *       Preemption off, and nothing else: no store, no fence (as Linux's
 *       non-preemptible RCU). Any context: thread, interrupt handler,
 *       inside other sections. MUST NOT sleep. Every region with preemption
 *       or interrupts off is such a section. A grace period waits until
 *       every CPU has passed a quiescent state — a context switch, the idle
 *       loop, a timer tick that interrupted user mode or preemptible kernel
 *       code — which no CPU can do inside a section (epoch.c).
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
#include <wisp/cpu.h>
#include <wisp/sched.h>
#include <ck_epoch.h>

/* ---- Read side ---------------------------------------------------------- */

/* The per-CPU part of RCU. quiescent counts the CPU's quiescent states:
 * only the CPU itself adds to it (rcu_note_quiescent), grace periods read
 * it; cb_lock protects the callback queue. */
struct rcu_head;
struct rcu_cpu {
    uint64_t quiescent;
    struct spinlock cb_lock;   /* protects cb_first, cb_last */
    struct rcu_head *cb_first; /* FIFO of callbacks queued on this CPU */
    struct rcu_head **cb_last;
} __cacheline_aligned;

extern struct rcu_cpu rcu_cpus[MAX_CPUS];

/* Enters a non-sleeping read-side section. Any context; nests. No fence:
 * the writer's side orders (rcu_synchronize, epoch.c). */
static inline void rcu_read_lock(void) { preempt_disable(); }

/* Leaves a section entered with rcu_read_lock(). */
static inline void rcu_read_unlock(void) { preempt_enable(); }

/* True when the caller is inside a non-sleeping section: preemption or
 * interrupts off, or an interrupt handler (any of them is one). */
static inline bool rcu_read_lock_held(void) { return !preemptible() || !irqs_enabled(); }

/* A quiescent state of this CPU: no non-sleeping section of this CPU that
 * began before it is still running. Called by the CPU itself, outside any
 * section (the scheduler and the tick: context switch, idle, user mode).
 * The locked add is a full fence: the CPU's later sections cannot read
 * anything before the increment is visible (pairs with the fence at the
 * start of a grace period, before it reads the counts). */
static inline void rcu_note_quiescent(unsigned cpu)
{
    __atomic_fetch_add(&rcu_cpus[cpu].quiescent, 1, __ATOMIC_SEQ_CST);
}

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
 * nests; the section may sleep. The outermost ck_epoch_begin stores
 * record->active with an atomic exchange (a full fence): the section's
 * loads cannot be satisfied before the record is seen active. Pairs with
 * the fence at the start of ck_epoch_synchronize_wait, before its scan. */
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
 * ended: every CPU passes a quiescent state on its own (within a tick or
 * two), then the sleepable records are scanned. Process context, may
 * sleep, must not be called inside a non-sleeping section (panics: it
 * would wait for itself). Safe to call from several threads at once. */
void rcu_synchronize(void);
/* rcu_synchronize that forces the quiescent states: an IPI to every other
 * CPU, whose handler notes one at once when it interrupted no section,
 * else asks for a reschedule at the section's end. Faster, at the price
 * of an interrupt on every CPU: for updaters that wait (unload, tests). */
void rcu_synchronize_expedited(void);

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

/* Sets up the sleepable records' epoch and starts the reclaimer. BSP, once, after
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
