/* thread.c — kernel thread life cycle: create, start, exit, join, detach. */
#include "sched_internal.h"
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/cpu.h>
#include <string.h>

/* Protects all_threads and every thread's exited/detached pair. */
static struct spinlock threads_lock = SPINLOCK_INIT("threads");
static struct list_node all_threads = LIST_INIT(all_threads);
static unsigned thread_count;
static uint32_t next_thread_id = 1;
/* Joiners wait here for any thread to exit (exits are rare: one queue). */
static struct wait_queue exit_wq = WAIT_QUEUE_INIT(exit_wq);

const char *thread_name(const struct thread *t) { return t->name; }

unsigned sched_thread_count(void) { return thread_count; }

void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    uint64_t flags = spin_lock_irqsave(&threads_lock);
    list_for_each(pos, &all_threads) fn(list_entry(pos, struct thread, all_node), arg);
    spin_unlock_irqrestore(&threads_lock, flags);
}

static void add_to_list(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&threads_lock);
    list_push_back(&all_threads, &t->all_node);
    thread_count++;
    spin_unlock_irqrestore(&threads_lock, flags);
}

void thread_register_idle(struct thread *idle)
{
    idle->id = __atomic_fetch_add(&next_thread_id, 1, __ATOMIC_RELAXED);
    lockdep_thread_init(idle);
    list_init(&idle->wait_node);
    add_to_list(idle);
}

/* First C code of a new thread (from thread_trampoline). */
__noreturn void thread_start(struct thread *t)
{
    sched_finish_switch();
    irq_enable();
    t->fn(t->arg);
    thread_exit();
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg, int cpu)
{
    struct thread *t = kzalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->stack = kstack_alloc();
    if (!t->stack) {
        kfree(t);
        return NULL;
    }
    lockdep_thread_init(t); /* NULL state on no memory: not validated */
    strlcpy(t->name, name, sizeof(t->name));
    t->id = __atomic_fetch_add(&next_thread_id, 1, __ATOMIC_RELAXED);
    t->fn = fn;
    t->arg = arg;
    t->pinned_cpu = cpu;
    list_init(&t->wait_node);
    t->cpu = cpu >= 0 && (unsigned)cpu < cpu_count ? cpu : sched_pick_cpu();

    /* Initial stack: context_switch pops r15..rbp (r12 = t) and returns
     * into thread_trampoline; the zero above it ends backtraces. */
    uint64_t *sp = (uint64_t *)((uint8_t *)t->stack + THREAD_STACK_SIZE);
    *--sp = 0;
    *--sp = (uint64_t)thread_trampoline;
    *--sp = 0;           /* rbp */
    *--sp = 0;           /* rbx */
    *--sp = (uint64_t)t; /* r12 */
    *--sp = 0;           /* r13 */
    *--sp = 0;           /* r14 */
    *--sp = 0;           /* r15 */
    t->saved_rsp = (uint64_t)sp;

    add_to_list(t);
    sched_enqueue_new(t);
    return t;
}

__noreturn void thread_exit(void)
{
    irq_disable();
    struct runqueue *rq = &runqueues[cpu_id()];
    spin_lock(&rq->lock);
    current_thread()->state = THREAD_DEAD;
    sched_switch_locked(rq);
    panic("thread_exit: a dead thread was scheduled again");
}

static void thread_free(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&threads_lock);
    list_remove(&t->all_node);
    thread_count--;
    spin_unlock_irqrestore(&threads_lock, flags);
    sched_forget_thread(t);
    lockdep_thread_free(t);
    kfree(t->fpu_state);
    sched_stack_retire(t);
    kstack_free(t->stack);
    kfree(t);
}

void thread_reap(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&threads_lock);
    bool detached = t->detached;
    t->exited = true;
    spin_unlock_irqrestore(&threads_lock, flags);
    if (detached)
        thread_free(t);
    else
        wake_up_all(&exit_wq);
}

void thread_detach(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&threads_lock);
    bool exited = t->exited;
    t->detached = true;
    spin_unlock_irqrestore(&threads_lock, flags);
    if (exited)
        thread_free(t);
}

static bool has_exited(void *arg)
{
    return __atomic_load_n(&((struct thread *)arg)->exited, __ATOMIC_ACQUIRE);
}

void thread_join(struct thread *t)
{
    wait_queue_wait(&exit_wq, has_exited, t);
    thread_free(t);
}
