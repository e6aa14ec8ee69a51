/* wait.c — wait queues: threads block until a condition becomes true.
 *
 * A waiter is on a queue by its thread's wait_node (one queue at a time),
 * apart from its run_node (the run queue) and timer_node (its run queue's
 * sleepers), so that a timed waiter can be on its wait queue and have its
 * timer armed at once. A waker pops the waiter off the queue and wakes it
 * (sched_wake_thread disarms the timer); a fired timer makes the waiter
 * runnable with its wait_node still queued, and the waiter takes it off
 * under the queue's lock. Lock order: wait queue, then run queue. */
#include "sched_internal.h"
#include <wisp/time.h>

void wait_queue_init(struct wait_queue *wq)
{
    spin_init(&wq->lock, "wait_queue");
    list_init(&wq->waiters);
}

void wait_queue_wait(struct wait_queue *wq, bool (*check)(void *arg), void *arg)
{
    might_sleep();
    struct thread *self = current_thread();
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&wq->lock);
        if (check(arg)) {
            spin_unlock_irqrestore(&wq->lock, flags);
            return;
        }
        /* Blocked under wq->lock: a waker that finds us here makes us
         * runnable again, even before we reach schedule(). */
        self->state = THREAD_BLOCKED;
        list_push_back(&wq->waiters, &self->wait_node);
        spin_unlock_irqrestore(&wq->lock, flags);
        schedule();
    }
}

/* As wait_queue_wait, with the thread's timer armed: woken by a waker (who
 * took it off the queue) or by the timer (then it is still on the queue
 * and takes itself off, under the queue's lock, before it looks again). */
bool wait_queue_wait_until(struct wait_queue *wq, bool (*check)(void *arg), void *arg,
                           uint64_t deadline_ns)
{
    might_sleep();
    struct thread *self = current_thread();
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&wq->lock);
        if (!list_empty(&self->wait_node)) /* the timer woke us */
            list_remove(&self->wait_node); /* (leaves it self-linked) */
        bool done = check(arg);
        if (done || clock_ns() >= deadline_ns) {
            spin_unlock_irqrestore(&wq->lock, flags);
            return done;
        }
        self->state = THREAD_BLOCKED;
        list_push_back(&wq->waiters, &self->wait_node);
        spin_unlock_irqrestore(&wq->lock, flags);
        sched_block_until(deadline_ns);
    }
}

static void wake(struct wait_queue *wq, bool all)
{
    uint64_t flags = spin_lock_irqsave(&wq->lock);
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters))) { /* leaves n self-linked */
        sched_wake_thread(list_entry(n, struct thread, wait_node));
        if (!all)
            break;
    }
    spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_one(struct wait_queue *wq) { wake(wq, false); }

void wake_up_all(struct wait_queue *wq) { wake(wq, true); }
