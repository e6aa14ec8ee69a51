/* reclaim.c — deferred reclamation: rcu_call(), the reclaimer thread and
 * rcu_barrier().
 *
 * rcu_call() appends to the calling CPU's FIFO. The reclaimer thread sleeps
 * until a FIFO becomes non-empty, lets a batch gather for a tick, takes
 * every CPU's FIFO at once (one "collection", numbered), waits for one grace
 * period, and runs the batch. One grace period therefore serves every
 * callback of a batch. Collections complete in number order because there
 * is a single reclaimer.
 *
 * Why not ck_epoch_call()/ck_epoch_poll(): those queue on a record's own
 * pending stacks and must run on the record's owner (single producer, LIFO
 * dispatch from poll). Callbacks here may be queued from any context and
 * run in one thread, in order, which is what rcu_barrier() relies on.
 */
#include <rcu/rcu.h>
#include <wisp/printk.h>
#include <wisp/time.h>

#define RCU_BATCH_DELAY_NS NSEC_PER_MSEC

static struct wait_queue reclaim_wq; /* the reclaimer waits here for work */
static struct wait_queue barrier_wq; /* rcu_barrier() callers wait here */
static uint64_t collect_gen;         /* collections started (reclaimer writes) */
static uint64_t completed_gen;       /* collections whose callbacks all ran */
static uint64_t barrier_target;      /* highest collection a barrier awaits */
static uint64_t callbacks_queued;
static uint64_t callbacks_done;
static struct thread *reclaimer;

void rcu_reclaim_init(void);

void rcu_call(struct rcu_head *head, rcu_callback_fn fn)
{
    head->fn = fn;
    head->next = NULL;
    struct rcu_cpu *rc = &rcu_cpus[cpu_id()];
    uint64_t flags = spin_lock_irqsave(&rc->cb_lock);
    bool was_empty = rc->cb_first == NULL;
    *rc->cb_last = head;
    rc->cb_last = &head->next;
    ck_pr_inc_64(&callbacks_queued);
    spin_unlock_irqrestore(&rc->cb_lock, flags);
    /* Waking on the empty → non-empty edge is enough: the reclaimer checks
     * the FIFOs under reclaim_wq's lock, which the wakeup also takes. */
    if (was_empty)
        wake_up_one(&reclaim_wq);
}

static bool barrier_pending(void)
{
    return ck_pr_load_64(&barrier_target) > ck_pr_load_64(&completed_gen);
}

static bool reclaim_has_work(void *arg __unused)
{
    if (barrier_pending())
        return true;
    for (unsigned i = 0; i < cpu_count; i++)
        if (READ_ONCE(rcu_cpus[i].cb_first))
            return true;
    return false;
}

/* Takes every CPU's FIFO; returns them chained in CPU order. The
 * generation is bumped (a locked add: full fence) before any FIFO is
 * taken; rcu_barrier() relies on that order. */
static struct rcu_head *collect(uint64_t *gen)
{
    *gen = ck_pr_faa_64(&collect_gen, 1) + 1;
    struct rcu_head *first = NULL, **last = &first;
    for (unsigned i = 0; i < cpu_count; i++) {
        struct rcu_cpu *rc = &rcu_cpus[i];
        uint64_t flags = spin_lock_irqsave(&rc->cb_lock);
        if (rc->cb_first) {
            *last = rc->cb_first;
            last = rc->cb_last;
            rc->cb_first = NULL;
            rc->cb_last = &rc->cb_first;
        }
        spin_unlock_irqrestore(&rc->cb_lock, flags);
    }
    return first;
}

static void run_batch(struct rcu_head *head)
{
    while (head) {
        struct rcu_head *next = head->next; /* fn may free or requeue head */
        head->fn(head);
        ck_pr_inc_64(&callbacks_done);
        head = next;
    }
}

static void rcu_reclaimer(void *arg __unused)
{
    for (;;) {
        wait_queue_wait(&reclaim_wq, reclaim_has_work, NULL);
        if (!barrier_pending())
            sched_sleep_ns(RCU_BATCH_DELAY_NS);
        uint64_t gen;
        struct rcu_head *batch = collect(&gen);
        if (batch) {
            rcu_synchronize();
            run_batch(batch);
        }
        ck_pr_store_64(&completed_gen, gen);
        wake_up_all(&barrier_wq);
    }
}

static bool barrier_reached(void *arg) { return ck_pr_load_64(&completed_gen) >= *(uint64_t *)arg; }

/* A callback queued before this call is in a FIFO or in a batch already
 * collected. If the reclaimer's collection G+1 (G = collect_gen read below)
 * had taken a FIFO before our callback was in it, it would have bumped
 * collect_gen before that, so we would have read G+1: collection G+1 takes
 * everything queued before the read, and collections complete in order. */
void rcu_barrier(void)
{
    if (current_thread() == reclaimer)
        panic("rcu_barrier from an rcu callback: the reclaimer would wait for itself");
    /* Orders the caller's earlier rcu_call() stores before reading the
     * generation; pairs with the locked add in collect(). */
    ck_pr_fence_memory();
    uint64_t target = ck_pr_load_64(&collect_gen) + 1;
    uint64_t seen = ck_pr_load_64(&barrier_target);
    while (seen < target && !ck_pr_cas_64_value(&barrier_target, seen, target, &seen))
        ;
    wake_up_one(&reclaim_wq);
    wait_queue_wait(&barrier_wq, barrier_reached, &target);
}

uint64_t rcu_callbacks_pending(void)
{
    return ck_pr_load_64(&callbacks_queued) - ck_pr_load_64(&callbacks_done);
}

void rcu_reclaim_init(void)
{
    wait_queue_init(&reclaim_wq);
    wait_queue_init(&barrier_wq);
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        spin_init(&rcu_cpus[i].cb_lock, "rcu_callbacks");
        rcu_cpus[i].cb_first = NULL;
        rcu_cpus[i].cb_last = &rcu_cpus[i].cb_first;
    }
    reclaimer = thread_create("rcu_reclaim", rcu_reclaimer, NULL, -1);
    if (!reclaimer)
        panic("rcu: cannot start the reclaimer thread");
    thread_detach(reclaimer);
}
