/* sched.c — per-CPU run queues, the schedule() path, preemption and sleep.
 *
 * Threads stay on the CPU they were placed on (pinned, or the CPU with the
 * fewest threads at creation). A waker therefore always takes the lock of
 * the run queue that switched the thread out, and a thread's stack is never
 * live on two CPUs. Load balancing by migration is future work. */
#include "sched_internal.h"
#include <wisp/process.h>
#include <wisp/apic.h>
#include <wisp/time.h>
#include <wisp/printk.h>
#include <wisp/smp.h>
#include <wisp/trap.h>
#include <wisp/cpu.h>
#include <wisp/format.h>

struct runqueue runqueues[MAX_CPUS];
static struct thread idle_threads[MAX_CPUS];

static inline struct runqueue *this_rq(void) { return &runqueues[cpu_id()]; }

struct thread *current_thread(void) { return this_cpu()->current; }

static void rq_unlock_raw(struct runqueue *rq)
{
    ck_spinlock_ticket_unlock(&rq->lock.ticket);
    preempt_enable_no_resched();
}

void sched_finish_switch(void)
{
    struct runqueue *rq = this_rq();
    struct thread *prev = rq->switched_from;
    rq->switched_from = NULL;
    rq_unlock_raw(rq);
    if (prev && prev->state == THREAD_DEAD)
        thread_reap(prev);
}

void sched_switch_locked(struct runqueue *rq)
{
    BUG_ON(!spin_is_locked(&rq->lock)); /* untracked by the validator: no owner */
    struct thread *prev = rq->current;
    if (prev != rq->idle && (prev->state == THREAD_RUNNING || prev->state == THREAD_RUNNABLE)) {
        prev->state = THREAD_RUNNABLE;
        list_push_back(&rq->runnable, &prev->run_node);
        rq->nr_runnable++;
    }
    struct thread *next = rq->idle;
    struct list_node *n = list_pop_front(&rq->runnable);
    if (n) {
        next = list_entry(n, struct thread, run_node);
        rq->nr_runnable--;
    }
    struct cpu *c = this_cpu();
    c->need_resched = false;
    next->state = THREAD_RUNNING;
    if (next == prev) {
        prev->slice_end_ns = clock_ns() + SCHED_SLICE_NS;
        rq_unlock_raw(rq);
        return;
    }
    uint64_t now = clock_ns();
    prev->runtime_ns += now - (prev->slice_end_ns - SCHED_SLICE_NS);
    next->slice_end_ns = now + SCHED_SLICE_NS;
    next->switches++;
    rq->current = next;
    rq->switched_from = prev;
    c->current = next;
    if (next->stack) { /* idle threads run on their boot stacks */
        c->kernel_stack_top = (uint64_t)next->stack + THREAD_STACK_SIZE;
        c->tss.rsp[0] = c->kernel_stack_top;
    }
    process_switch(prev, next); /* FPU/SSE state, address space */
    context_switch(&prev->saved_rsp, next->saved_rsp);
    sched_finish_switch();
}

void schedule(void)
{
    uint64_t flags = irq_save();
    struct runqueue *rq = this_rq();
    spin_lock(&rq->lock);
    sched_switch_locked(rq);
    irq_restore(flags);
}

void thread_yield(void)
{
    might_sleep();
    schedule();
}

void preempt_enable_slow(void)
{
    if (preemptible() && irqs_enabled())
        schedule();
}

void sched_irq_exit(void)
{
    struct cpu *c = this_cpu();
    if (c->need_resched && c->preempt_count == 0 && c->irq_depth == 0)
        schedule();
}

/* Arms t's timer for t->wake_at_ns: on the sleepers, in wake-time order;
 * rq->lock held. */
static void arm_timer(struct runqueue *rq, struct thread *t)
{
    struct list_node *pos = rq->sleepers.next;
    while (pos != &rq->sleepers &&
           list_entry(pos, struct thread, timer_node)->wake_at_ns <= t->wake_at_ns)
        pos = pos->next;
    list_push_back(pos, &t->timer_node); /* inserts before pos */
    t->timer_armed = true;
}

static void disarm_timer(struct thread *t)
{
    if (t->timer_armed) {
        list_remove(&t->timer_node);
        t->timer_armed = false;
    }
}

/* Fires the timers whose time has come: their threads, blocked, become
 * runnable (a timed waiter then leaves its wait queue itself); rq->lock
 * held. */
static void wake_sleepers(struct runqueue *rq, uint64_t now)
{
    while (!list_empty(&rq->sleepers)) {
        struct thread *t = list_entry(rq->sleepers.next, struct thread, timer_node);
        if (t->wake_at_ns > now)
            break;
        disarm_timer(t);
        if (t->state != THREAD_BLOCKED)
            continue;
        t->state = THREAD_RUNNABLE;
        list_push_back(&rq->runnable, &t->run_node);
        rq->nr_runnable++;
        if (rq->current == rq->idle)
            this_cpu()->need_resched = true;
    }
}

void sched_tick(struct trap_frame *frame)
{
    sched_stack_sample(frame);
    struct cpu *c = this_cpu();
    struct runqueue *rq = this_rq();
    uint64_t now = clock_ns();
    c->ticks++;
    spin_lock(&rq->lock);
    wake_sleepers(rq, now);
    if (rq->current != rq->idle && now >= rq->current->slice_end_ns && rq->nr_runnable)
        c->need_resched = true;
    rq_unlock_raw(rq);
}

void sched_wake_thread(struct thread *t)
{
    struct runqueue *rq = &runqueues[t->cpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    if (t->state == THREAD_BLOCKED) {
        disarm_timer(t);
        t->state = THREAD_RUNNABLE;
        /* Still running on its way into schedule()? Then it stays running. */
        if (rq->current != t) {
            list_push_back(&rq->runnable, &t->run_node);
            rq->nr_runnable++;
            if (rq->current == rq->idle) {
                if ((unsigned)t->cpu == cpu_id())
                    this_cpu()->need_resched = true;
                else
                    smp_send_resched(t->cpu);
            }
        }
    }
    rq_unlock_raw(rq);
    irq_restore(flags);
}

void sched_sleep_ns(uint64_t ns)
{
    might_sleep();
    struct thread *t = current_thread();
    uint64_t flags = irq_save();
    struct runqueue *rq = this_rq();
    spin_lock(&rq->lock);
    t->wake_at_ns = clock_ns() + ns;
    t->state = THREAD_BLOCKED;
    arm_timer(rq, t);
    sched_switch_locked(rq);
    irq_restore(flags);
}

void sched_block_until(uint64_t deadline_ns)
{
    struct thread *t = current_thread();
    uint64_t flags = irq_save();
    struct runqueue *rq = this_rq();
    spin_lock(&rq->lock);
    if (t->state == THREAD_BLOCKED) { /* not woken since it joined the queue */
        t->wake_at_ns = deadline_ns;
        arm_timer(rq, t);
    }
    sched_switch_locked(rq);
    irq_restore(flags);
}

/* The scheduler's view of placement: the CPU with the fewest threads. */
int sched_pick_cpu(void)
{
    unsigned best = 0;
    for (unsigned i = 1; i < cpu_count; i++)
        if (cpus[i].online && runqueues[i].nr_threads < runqueues[best].nr_threads)
            best = i;
    return (int)best;
}

/* Puts a new thread on its run queue. */
void sched_enqueue_new(struct thread *t)
{
    struct runqueue *rq = &runqueues[t->cpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    rq->nr_threads++;
    t->state = THREAD_RUNNABLE;
    list_push_back(&rq->runnable, &t->run_node);
    rq->nr_runnable++;
    bool kick = rq->current == rq->idle;
    rq_unlock_raw(rq);
    irq_restore(flags);
    if (kick) {
        if ((unsigned)t->cpu == cpu_id())
            this_cpu()->need_resched = true;
        else
            smp_send_resched(t->cpu);
    }
}

void sched_forget_thread(struct thread *t)
{
    struct runqueue *rq = &runqueues[t->cpu];
    uint64_t flags = spin_lock_irqsave(&rq->lock);
    rq->nr_threads--;
    rq_unlock_raw(rq);
    irq_restore(flags);
}

void sched_init(void)
{
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct runqueue *rq = &runqueues[i];
        spin_init_untracked(&rq->lock, "runqueue"); /* handed across switches */
        list_init(&rq->runnable);
        list_init(&rq->sleepers);
    }
    irq_register(VEC_TIMER, sched_tick);
}

__noreturn void sched_start(void)
{
    struct cpu *c = this_cpu();
    struct runqueue *rq = this_rq();
    struct thread *idle = &idle_threads[c->id];
    ksnprintf(idle->name, sizeof(idle->name), "idle%u", c->id);
    idle->state = THREAD_RUNNING;
    idle->cpu = (int)c->id;
    idle->pinned_cpu = (int)c->id;
    thread_register_idle(idle);
    rq->idle = idle;
    rq->current = idle;
    c->current = idle;
    c->online = true;
    lapic_timer_start(SCHED_HZ);
    for (;;) {
        irq_disable();
        if (READ_ONCE(rq->nr_runnable) || c->need_resched)
            schedule();
        else
            irq_enable_and_halt();
    }
}
