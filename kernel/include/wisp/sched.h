/* sched.h — kernel threads, per-CPU run queues, preemption, sleeping.
 *
 * Each CPU runs its own queue round-robin with a time slice; the LAPIC timer
 * preempts a thread whose slice is over when preemption is enabled. New
 * threads go to the CPU asked for, or the least loaded one. Threads block on
 * wait queues; sched_sleep_ns() puts a thread to sleep for a duration.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/list.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <locks/spinlock.h>

struct process;

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

#define THREAD_NAME_MAX   24
#define THREAD_STACK_SIZE KSTACK_SIZE /* wisp/mm.h: with a guard page below */

/* One module version a thread's call chain is inside (modload/dispatch.c):
 * the module's identity, the version pinned at the outermost entry (and * its version index in the identity, and the CPU whose count for that index the
 * entry incremented), and how deep the chain is in it. The pins
 * form a stack (module_pins[0..module_pin_count)), pushed at outermost
 * entries and popped when they return, so strictly LIFO. Touched only by
 * the thread itself and its interrupt handlers, which leave it as they
 * found it. */
#define THREAD_MODULE_PINS 8
struct thread_module_pin {
    void *identity; /* NULL while the entry is being pushed or popped */
    void *version;
    uint32_t version_index;
    uint32_t cpu;
    uint32_t depth;
};

struct thread {
    uint64_t saved_rsp; /* offset 0: context_switch saves rsp here */
    enum thread_state state;
    uint32_t id;
    int cpu;        /* CPU whose run queue holds it */
    int pinned_cpu; /* -1: may run anywhere */
    char name[THREAD_NAME_MAX];
    struct list_node run_node;   /* on its run queue's runnable list */
    struct list_node wait_node;  /* on a wait queue's waiters (self-linked: on none) */
    struct list_node timer_node; /* on its run queue's sleepers, by wake_at_ns */
    bool timer_armed;            /* timer_node is on the sleepers (rq lock) */
    struct list_node all_node;   /* on the global thread list */
    void *stack;                 /* THREAD_STACK_SIZE bytes */
    void (*fn)(void *);
    void *arg;
    uint64_t wake_at_ns; /* sched_sleep_ns, timed waits: when the timer fires */
    uint64_t slice_end_ns;
    uint64_t runtime_ns;
    uint64_t switches;
    bool exited;             /* has run for the last time; joinable */
    bool detached;           /* freed when it exits, not joined */
    void *lock_state;        /* the lock validator's per-thread data */
    struct process *process; /* NULL for kernel threads */
    void *fpu_state;         /* fxsave area of a user thread, or NULL */
    void *kcov;              /* kernel/proc/kcov.c: its coverage buffer, or NULL */
    struct thread_module_pin module_pins[THREAD_MODULE_PINS];
    uint32_t module_pin_count;
};

struct wait_queue {
    struct spinlock lock;     /* protects waiters */
    struct list_node waiters; /* threads blocked here, FIFO */
};

void sched_init(void);             /* BSP, before smp_boot_aps */
__noreturn void sched_start(void); /* each CPU: becomes its idle thread */
/* Creates a runnable thread; cpu = -1 lets the scheduler place it.
 * Returns NULL when memory runs out. May be called from any thread context. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg, int cpu);
__noreturn void thread_exit(void);
/* Kernel stack depth (stack.c; debug builds, else 0 / nothing): t's
 * high-water mark in bytes; retire records an ending thread's mark;
 * sample, from the scheduler tick, keeps the call chain of the deepest
 * interrupted kernel code; report prints the deepest mark of any thread
 * and that chain as "# stack:" lines. */
size_t sched_stack_high_water(const struct thread *t);
void sched_stack_retire(struct thread *t);
void sched_stack_sample(const struct trap_frame *f);
void sched_stack_report(void);
/* Waits until t has exited, then frees it. Process context, may sleep. */
void thread_join(struct thread *t);
/* Nobody will join t: it is freed as soon as it exits. */
void thread_detach(struct thread *t);
void thread_yield(void);
/* Gives up the CPU; the caller stays runnable unless it set itself blocked. */
void schedule(void);
struct thread *current_thread(void);
const char *thread_name(const struct thread *t);
/* Calls fn for each thread (under the thread-list lock: fn must not sleep). */
void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg);
unsigned sched_thread_count(void);

/* Sleeps at least ns nanoseconds. Process context, may sleep. */
void sched_sleep_ns(uint64_t ns);
/* Called from the timer interrupt on every CPU. */
void sched_tick(struct trap_frame *frame);
/* Called at interrupt exit: switches away if a reschedule is pending. */
void sched_irq_exit(void);

/* Wait queues: wait_queue_wait() sleeps until check(arg) is true; every
 * wakeup re-checks it under the queue's lock, so no wakeup is lost. */
#define WAIT_QUEUE_INIT(name) \
    { \
        .lock = SPINLOCK_INIT("wait_queue"), .waiters = LIST_INIT((name).waiters) \
    }
void wait_queue_init(struct wait_queue *wq);
void wake_up_one(struct wait_queue *wq);
void wake_up_all(struct wait_queue *wq);
/* Blocks the caller on wq unless check(arg) is true (checked under wq's lock). */
void wait_queue_wait(struct wait_queue *wq, bool (*check)(void *arg), void *arg);
/* wait_queue_wait until clock_ns() reaches deadline_ns at the latest: true
 * when check(arg) became true, false when the deadline passed first. The
 * timer fires at the first scheduler tick at or after the deadline (1 ms
 * resolution); a wake-up before it is seen at once. */
bool wait_queue_wait_until(struct wait_queue *wq, bool (*check)(void *arg), void *arg,
                           uint64_t deadline_ns);
