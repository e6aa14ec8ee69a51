/* sched_internal.h — run queues, shared by the files of kernel/sched/ only. */
#pragma once
#include <wisp/sched.h>
#include <wisp/percpu.h>

#define SCHED_HZ       1000
#define SCHED_SLICE_NS (10 * 1000 * 1000ul)

/* One per CPU. lock protects every field and the run_node, timer_node,
 * timer_armed, wake_at_ns and state of the threads homed here; it is held across context_switch and released by
 * the thread switched to (finish_switch). Lock order: wait queue, then rq. */
struct runqueue {
    struct spinlock lock;
    struct list_node runnable; /* FIFO of THREAD_RUNNABLE threads */
    struct list_node sleepers; /* armed timers (timer_node), by wake time */
    struct thread *current;
    struct thread *idle;
    struct thread *switched_from; /* set across one context_switch */
    unsigned nr_runnable;         /* queued, excluding the current thread */
    unsigned nr_threads;          /* threads homed here (for placement) */
};

extern struct runqueue runqueues[MAX_CPUS];

void context_switch(uint64_t *save_rsp, uint64_t load_rsp);
void thread_trampoline(void);
/* Makes t runnable on its CPU if it is blocked (and disarms its timer);
 * caller may hold a wait-queue lock, no rq lock. */
void sched_wake_thread(struct thread *t);
/* The caller, set THREAD_BLOCKED under a wait-queue lock (and on that
 * queue), switches away with its timer armed for deadline_ns, unless it
 * was woken already. Returns once woken or the timer fired. */
void sched_block_until(uint64_t deadline_ns);
/* Called with interrupts off and rq->lock held (taken with spin_lock): picks
 * the next thread and switches to it. Returns, on this same thread, once it
 * is switched back in, with the lock released and preemption count restored. */
void sched_switch_locked(struct runqueue *rq);
/* The first thing a thread does after a context switch. */
void sched_finish_switch(void);
/* Disposes of a thread that has run for the last time (from finish_switch). */
void thread_reap(struct thread *t);
int sched_pick_cpu(void);
void sched_enqueue_new(struct thread *t);
void sched_forget_thread(struct thread *t);
void thread_register_idle(struct thread *idle);
