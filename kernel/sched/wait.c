/* wait.c — wait queues: threads block until a condition becomes true. */
#include "sched_internal.h"

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
        list_push_back(&wq->waiters, &self->run_node);
        spin_unlock_irqrestore(&wq->lock, flags);
        schedule();
    }
}

static void wake(struct wait_queue *wq, bool all)
{
    uint64_t flags = spin_lock_irqsave(&wq->lock);
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters))) {
        sched_wake_thread(list_entry(n, struct thread, run_node));
        if (!all)
            break;
    }
    spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_one(struct wait_queue *wq) { wake(wq, false); }

void wake_up_all(struct wait_queue *wq) { wake(wq, true); }
