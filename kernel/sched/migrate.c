/* migrate.c — threads that move between CPUs: affinity, wake placement and
 * periodic load balancing.
 *
 * Only a thread that is not running moves (sched.c's opening comment):
 *   - a queued thread (RUNNABLE and on its queue's runnable list) under the
 *     locks of both queues — the balancer pulls one, thread_set_affinity
 *     pushes one;
 *   - the thread a CPU just switched from, when its affinity no longer
 *     allows that CPU: finish_switch takes it off its list under the old
 *     queue's lock, then queues it on the new one under that lock (in
 *     between it is on no list: nobody runs, moves or frees it);
 *   - a blocked thread by its waker, under both locks, before it is queued:
 *     woken while its CPU is busy, it goes to an idle CPU it may run on.
 * Two run-queue locks are taken lower CPU first; a holder of the higher one
 * may only trylock the lower one (wake placement gives up on failure).
 *
 * Lock hold: the balancer takes the source queue by trylock only and skips
 * the tick when it is busy. Every idle CPU balances at every tick, and a
 * queue of threads pinned there (none may leave) stays "two more" for as
 * long as they run, so with spin_lock the idle CPUs queued on the busy
 * queue's ticket lock 1000 times a second each. Under a hypervisor that
 * deschedules vCPUs (QEMU on a loaded host) a ticket holder or waiter that
 * loses its vCPU makes every later ticket wait for it: the busy CPU's own
 * schedule() waited up to 256 ms for its queue's lock, the swap torture's
 * three workers moved mid-chain to one CPU stalled 100-980 ms together,
 * and its retire waited up to 1.9 s for their pins. A balancer that finds
 * the lock taken loses nothing: it looks again at its next tick.
 *
 * What moves with a thread: its run_node (queues), the nr_threads count of
 * its home. Its timer (timer_node on its home's sleepers) is disarmed by
 * the waker before the thread moves, and a thread is never queued with an
 * armed timer, so timers never cross queues. Everything else a thread
 * carries is its own (stack, FPU image saved at every switch, address
 * space loaded at every switch, the dispatch pins that record the CPU
 * whose count they incremented), or is per CPU and used with preemption
 * off (epoch records, the run queue, the validator's flags).
 */
#include "sched_internal.h"
#include <wisp/smp.h>
#include <wisp/cpu.h>

/* A busy CPU balances every SCHED_BALANCE_TICKS ticks, an idle one every
 * tick: 4 CPU-bound threads on one CPU spread over 4 CPUs in a few ms. */
#define SCHED_BALANCE_TICKS 4

static unsigned rq_load(const struct runqueue *rq)
{
    return READ_ONCE(rq->nr_runnable) + (READ_ONCE(rq->current) != READ_ONCE(rq->idle));
}

static bool rq_idle(const struct runqueue *rq)
{
    return READ_ONCE(rq->current) == READ_ONCE(rq->idle) && READ_ONCE(rq->nr_runnable) == 0;
}

/* On rq's runnable list (run_node is self-linked on none); rq locked. */
static bool queued_on(const struct thread *t, const struct runqueue *rq)
{
    return t->state == THREAD_RUNNABLE && &runqueues[t->cpu] == rq && !list_empty(&t->run_node);
}

struct runqueue *rq_lock_thread(struct thread *t)
{
    for (;;) {
        struct runqueue *rq = &runqueues[READ_ONCE(t->cpu)];
        spin_lock(&rq->lock);
        if (&runqueues[t->cpu] == rq)
            return rq;
        rq_unlock_raw(rq); /* it moved meanwhile */
    }
}

/* Both queues locked, lower CPU first; interrupts off. */
static void rq_lock_pair(struct runqueue *a, struct runqueue *b)
{
    if (a == b) {
        spin_lock(&a->lock);
        return;
    }
    spin_lock(&(a < b ? a : b)->lock);
    spin_lock(&(a < b ? b : a)->lock);
}

static void rq_unlock_pair(struct runqueue *a, struct runqueue *b)
{
    rq_unlock_raw(a);
    if (a != b)
        rq_unlock_raw(b);
}

void sched_kick(unsigned cpu)
{
    if (cpu == cpu_id())
        this_cpu()->need_resched = true;
    else
        smp_send_resched(cpu);
}

/* t changes home from `from` to `to`; both locked, t on no list. */
static void rehome(struct thread *t, struct runqueue *from, struct runqueue *to)
{
    from->nr_threads--;
    to->nr_threads++;
    to->migrations_in++;
    t->migrations++;
    WRITE_ONCE(t->cpu, (int)rq_cpu(to));
}

struct runqueue *sched_unqueue_misplaced(struct runqueue *rq, struct thread *t)
{
    int cpu = t->pinned_cpu;
    if (cpu < 0 || !queued_on(t, rq))
        return NULL;
    list_remove(&t->run_node);
    rq->nr_runnable--;
    rq->nr_threads--;
    WRITE_ONCE(t->cpu, cpu); /* in transit: RUNNABLE on no list */
    return &runqueues[cpu];
}

void sched_enqueue_moved(struct runqueue *to, struct thread *t)
{
    spin_lock(&to->lock);
    to->nr_threads++;
    to->migrations_in++;
    t->migrations++;
    list_push_back(&to->runnable, &t->run_node);
    to->nr_runnable++;
    if (to->current == to->idle)
        sched_kick(rq_cpu(to));
    rq_unlock_raw(to);
}

/* t queued on from moves to to's runnable list; both locked. */
static void move_queued(struct thread *t, struct runqueue *from, struct runqueue *to)
{
    list_remove(&t->run_node);
    from->nr_runnable--;
    rehome(t, from, to);
    list_push_back(&to->runnable, &t->run_node);
    to->nr_runnable++;
    if (to->current == to->idle)
        sched_kick(rq_cpu(to));
}


/* An idle online CPU t may run on, or -1; starts looking after `after`. */
static int idle_cpu_for(const struct thread *t, unsigned after)
{
    if (t->pinned_cpu >= 0)
        return rq_idle(&runqueues[t->pinned_cpu]) ? t->pinned_cpu : -1;
    for (unsigned k = 1; k < cpu_count; k++) {
        unsigned cpu = (after + k) % cpu_count;
        if (cpus[cpu].online && rq_idle(&runqueues[cpu]))
            return (int)cpu;
    }
    return -1;
}

struct runqueue *sched_wake_placement(struct runqueue *rq, struct thread *t)
{
    unsigned home = rq_cpu(rq);
    int target = -1;
    if (!sched_allowed(t, home))
        target = t->pinned_cpu; /* its affinity changed while it slept */
    else if (rq->current != rq->idle)
        target = idle_cpu_for(t, home);
    if (target < 0 || (unsigned)target == home)
        return rq;
    struct runqueue *to = &runqueues[target];
    /* Lock order: a higher queue after ours, a lower one only by trylock. */
    if (to > rq)
        spin_lock(&to->lock);
    else if (!spin_trylock(&to->lock))
        return rq; /* it stays; the balancer or its next switch moves it */
    rehome(t, rq, to);
    rq_unlock_raw(rq);
    return to;
}

void sched_migrate_queued(struct thread *t, int cpu)
{
    if (cpu < 0 || (unsigned)cpu >= cpu_count)
        return;
    struct runqueue *from = &runqueues[READ_ONCE(t->cpu)], *to = &runqueues[cpu];
    if (from == to)
        return;
    rq_lock_pair(from, to);
    if (queued_on(t, from) && sched_allowed(t, (unsigned)cpu))
        move_queued(t, from, to);
    rq_unlock_pair(from, to); /* else it ran, moved or blocked meanwhile */
}

/* The busiest online queue other than me, by load. */
static struct runqueue *busiest_other(unsigned me, unsigned *load)
{
    struct runqueue *busiest = NULL;
    *load = 0;
    for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
        unsigned l = rq_load(&runqueues[cpu]);
        if (cpu != me && cpus[cpu].online && l > *load) {
            *load = l;
            busiest = &runqueues[cpu];
        }
    }
    return busiest;
}

/* Pulls one thread from the busiest queue when it has at least two more
 * than ours: the most recently queued one that may run here. */
void sched_balance_tick(unsigned me, uint64_t ticks)
{
    struct runqueue *rq = &runqueues[me];
    unsigned my_load = rq_load(rq), src_load;
    if (my_load && ticks % SCHED_BALANCE_TICKS)
        return;
    struct runqueue *src = busiest_other(me, &src_load);
    if (!src || src_load < my_load + 2)
        return;
    /* The source by trylock only, never queued for: see "Lock hold" at
     * the top of the file. */
    spin_lock(&rq->lock);
    if (!spin_trylock(&src->lock)) {
        rq_unlock_raw(rq);
        return;
    }
    if (rq_load(src) >= rq_load(rq) + 2) {
        for (struct list_node *pos = src->runnable.prev; pos != &src->runnable; pos = pos->prev) {
            struct thread *t = list_entry(pos, struct thread, run_node);
            if (sched_allowed(t, me)) {
                move_queued(t, src, rq);
                break;
            }
        }
    }
    rq_unlock_pair(rq, src);
}

int thread_set_affinity(struct thread *t, int cpu)
{
    if (cpu < -1 || cpu >= (int)cpu_count || (cpu >= 0 && !cpus[cpu].online))
        return -1;
    uint64_t flags = irq_save();
    struct runqueue *rq = rq_lock_thread(t);
    WRITE_ONCE(t->pinned_cpu, cpu);
    bool misplaced = !sched_allowed(t, rq_cpu(rq));
    bool queued = misplaced && queued_on(t, rq);
    if (misplaced && rq->current == t)
        sched_kick(rq_cpu(rq)); /* it moves when switched out (finish_switch) */
    rq_unlock_raw(rq);
    if (queued)
        sched_migrate_queued(t, cpu);
    irq_restore(flags);
    /* A blocked thread moves when it is woken (sched_wake_placement). */
    if (misplaced && t == current_thread() && preemptible())
        schedule();
    return 0;
}

uint64_t sched_migrations(void)
{
    uint64_t n = 0;
    for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
        n += READ_ONCE(runqueues[cpu].migrations_in);
    return n;
}
