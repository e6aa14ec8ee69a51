/* test_locks.c — semantics of each lock type: spinlock, irq-saving
 * spinlock, mutex, reader-writer lock, critical section, lock classes. */
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <locks/spinlock.h>
#include <locks/mutex.h>
#include <locks/rwlock.h>
#include <locks/crit.h>

#define WAIT_LIMIT_NS (5 * NSEC_PER_SEC) /* generous: TCG is slow */

/* Waits (sleeping 1 ms at a time) until *flag is set; false on timeout. */
static bool wait_for(volatile int *flag, int value)
{
    uint64_t end = clock_ns() + WAIT_LIMIT_NS;
    while (*flag < value) {
        if (clock_ns() > end)
            return false;
        sched_sleep_ns(NSEC_PER_MSEC);
    }
    return true;
}

/* ---- spinlock ---- */

struct counter_test {
    struct spinlock lock;
    struct mutex mutex;
    volatile uint64_t counter; /* plain read-modify-write: needs the lock */
    int iterations;
    volatile int done;
};

static void spin_incrementer(void *arg)
{
    struct counter_test *c = arg;
    for (int i = 0; i < c->iterations; i++) {
        spin_lock(&c->lock);
        c->counter = c->counter + 1;
        spin_unlock(&c->lock);
    }
    __atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

KTEST(spinlock_excludes_increments_from_every_cpu)
{
    static struct counter_test c = { .lock = SPINLOCK_INIT("test_counter") };
    c.counter = 0;
    c.iterations = 1000; /* ticket locks convoy under TCG: keep it short */
    struct thread *t[MAX_CPUS];
    for (unsigned i = 0; i < cpu_count; i++)
        t[i] = thread_create("spin_inc", spin_incrementer, &c, (int)i);
    for (unsigned i = 0; i < cpu_count; i++)
        thread_join(t[i]);
    KEXPECT_EQ(c.counter, (uint64_t)c.iterations * cpu_count);
}

KTEST(spin_lock_disables_preemption_until_unlock)
{
    struct spinlock l;
    spin_init(&l, "test_preempt");
    int before = this_cpu()->preempt_count;
    spin_lock(&l);
    KEXPECT_EQ(this_cpu()->preempt_count, before + 1);
    KEXPECT_TRUE(spin_is_locked(&l));
    spin_unlock(&l);
    KEXPECT_EQ(this_cpu()->preempt_count, before);
    KEXPECT_FALSE(spin_is_locked(&l));
}

KTEST(spin_lock_irqsave_disables_then_restores_interrupts)
{
    struct spinlock l;
    spin_init(&l, "test_irqsave");
    KASSERT_TRUE(irqs_enabled());
    uint64_t flags = spin_lock_irqsave(&l);
    KEXPECT_FALSE(irqs_enabled());
    spin_unlock_irqrestore(&l, flags);
    KEXPECT_TRUE(irqs_enabled());
    /* Nested inside an interrupts-off region, it leaves them off. */
    uint64_t outer = irq_save();
    flags = spin_lock_irqsave(&l);
    spin_unlock_irqrestore(&l, flags);
    KEXPECT_FALSE(irqs_enabled());
    irq_restore(outer);
}

KTEST(spin_trylock_fails_while_held_and_succeeds_when_free)
{
    struct spinlock l;
    spin_init(&l, "test_trylock");
    KASSERT_TRUE(spin_trylock(&l));
    KEXPECT_FALSE(spin_trylock(&l));
    spin_unlock(&l);
    KEXPECT_TRUE(spin_trylock(&l));
    spin_unlock(&l);
    KEXPECT_EQ(this_cpu()->preempt_count, 0);
}

/* ---- mutex ---- */

static void mutex_incrementer(void *arg)
{
    struct counter_test *c = arg;
    for (int i = 0; i < c->iterations; i++) {
        mutex_lock(&c->mutex);
        uint64_t v = c->counter;
        if (i % 64 == 0)
            thread_yield(); /* a holder may be switched out */
        c->counter = v + 1;
        mutex_unlock(&c->mutex);
    }
    __atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

KTEST(mutex_excludes_increments_from_every_cpu)
{
    static struct counter_test c;
    mutex_init(&c.mutex, "test_mutex_counter");
    c.counter = 0;
    c.iterations = 300;
    struct thread *t[2 * MAX_CPUS];
    unsigned n = 2 * cpu_count; /* two per CPU: holders get switched out */
    for (unsigned i = 0; i < n; i++)
        t[i] = thread_create("mutex_inc", mutex_incrementer, &c, (int)(i % cpu_count));
    for (unsigned i = 0; i < n; i++)
        thread_join(t[i]);
    KEXPECT_EQ(c.counter, (uint64_t)c.iterations * n);
    KEXPECT_FALSE(mutex_is_locked(&c.mutex));
}

struct sleeper_test {
    struct mutex m;
    volatile int started, acquired;
    struct thread *waiter;
};

static void mutex_waiter(void *arg)
{
    struct sleeper_test *s = arg;
    s->started = 1;
    mutex_lock(&s->m);
    s->acquired = 1;
    mutex_unlock(&s->m);
}

KTEST(mutex_contended_waiter_sleeps_until_unlock)
{
    static struct sleeper_test s;
    mutex_init(&s.m, "test_mutex_sleep");
    s.started = s.acquired = 0;
    mutex_lock(&s.m);
    KEXPECT_TRUE(mutex_owner(&s.m) == current_thread());
    unsigned other = (cpu_id() + 1) % cpu_count;
    s.waiter = thread_create("mutex_waiter", mutex_waiter, &s, (int)other);
    KASSERT_TRUE(wait_for(&s.started, 1));
    /* The waiter must end up asleep on the mutex, not spinning. */
    uint64_t end = clock_ns() + WAIT_LIMIT_NS;
    while (READ_ONCE(s.waiter->state) != THREAD_BLOCKED && clock_ns() < end)
        sched_sleep_ns(NSEC_PER_MSEC);
    KEXPECT_EQ(READ_ONCE(s.waiter->state), THREAD_BLOCKED);
    KEXPECT_EQ(s.acquired, 0);
    mutex_unlock(&s.m);
    KEXPECT_TRUE(wait_for(&s.acquired, 1));
    thread_join(s.waiter);
    KEXPECT_FALSE(mutex_is_locked(&s.m));
}

KTEST(mutex_holder_may_sleep)
{
    struct mutex m;
    mutex_init(&m, "test_mutex_holder_sleeps");
    mutex_lock(&m);
    sched_sleep_ns(NSEC_PER_MSEC); /* no lockdep report: allowed */
    KEXPECT_TRUE(mutex_owner(&m) == current_thread());
    mutex_unlock(&m);
    KEXPECT_TRUE(mutex_owner(&m) == NULL);
}

static void try_other_mutex(void *arg)
{
    struct sleeper_test *s = arg;
    s->acquired = mutex_trylock(&s->m) ? 2 : 1;
    if (s->acquired == 2)
        mutex_unlock(&s->m);
}

KTEST(mutex_trylock_fails_while_another_thread_holds_it)
{
    static struct sleeper_test s;
    mutex_init(&s.m, "test_mutex_trylock");
    s.acquired = 0;
    mutex_lock(&s.m);
    struct thread *t = thread_create("mutex_try", try_other_mutex, &s, -1);
    thread_join(t);
    KEXPECT_EQ(s.acquired, 1);
    mutex_unlock(&s.m);
    KEXPECT_TRUE(mutex_trylock(&s.m));
    mutex_unlock(&s.m);
}

/* ---- reader-writer lock ---- */

struct rw_test {
    struct rwlock lock;
    volatile int readers_inside, max_inside, writers_inside;
    volatile int violations;
    unsigned want;
    volatile int stop;
};

static void parallel_reader(void *arg)
{
    struct rw_test *r = arg;
    read_lock(&r->lock);
    int inside = __atomic_add_fetch(&r->readers_inside, 1, __ATOMIC_ACQ_REL);
    uint64_t end = clock_ns() + WAIT_LIMIT_NS;
    /* Stay until every reader is inside at once (or give up). */
    while (READ_ONCE(r->readers_inside) < (int)r->want && clock_ns() < end)
        cpu_relax();
    int seen = READ_ONCE(r->readers_inside);
    if (seen > r->max_inside)
        r->max_inside = seen;
    (void)inside;
    read_unlock(&r->lock);
}

KTEST(rwlock_readers_hold_it_in_parallel)
{
    static struct rw_test r = { .lock = RWLOCK_INIT("test_rw_parallel") };
    r.readers_inside = r.max_inside = 0;
    r.want = cpu_count;
    struct thread *t[MAX_CPUS];
    for (unsigned i = 0; i < cpu_count; i++)
        t[i] = thread_create("reader", parallel_reader, &r, (int)i);
    for (unsigned i = 0; i < cpu_count; i++)
        thread_join(t[i]);
    KEXPECT_EQ(r.max_inside, (int)cpu_count);
}

static void rw_mixed(void *arg)
{
    struct rw_test *r = arg;
    for (unsigned i = 0; !READ_ONCE(r->stop); i++) {
        if (i % 4 == 0) {
            write_lock(&r->lock);
            if (__atomic_add_fetch(&r->writers_inside, 1, __ATOMIC_ACQ_REL) != 1 ||
                READ_ONCE(r->readers_inside) != 0)
                __atomic_fetch_add(&r->violations, 1, __ATOMIC_RELAXED);
            for (int k = 0; k < 50; k++)
                cpu_relax();
            __atomic_sub_fetch(&r->writers_inside, 1, __ATOMIC_ACQ_REL);
            write_unlock(&r->lock);
        } else {
            read_lock(&r->lock);
            __atomic_add_fetch(&r->readers_inside, 1, __ATOMIC_ACQ_REL);
            if (READ_ONCE(r->writers_inside) != 0)
                __atomic_fetch_add(&r->violations, 1, __ATOMIC_RELAXED);
            for (int k = 0; k < 50; k++)
                cpu_relax();
            __atomic_sub_fetch(&r->readers_inside, 1, __ATOMIC_ACQ_REL);
            read_unlock(&r->lock);
        }
    }
}

KTEST(rwlock_writer_excludes_readers_and_writers)
{
    static struct rw_test r = { .lock = RWLOCK_INIT("test_rw_mixed") };
    r.readers_inside = r.writers_inside = r.violations = r.stop = 0;
    struct thread *t[MAX_CPUS];
    for (unsigned i = 0; i < cpu_count; i++)
        t[i] = thread_create("rw_mixed", rw_mixed, &r, (int)i);
    sched_sleep_ns(300 * NSEC_PER_MSEC);
    r.stop = 1;
    for (unsigned i = 0; i < cpu_count; i++)
        thread_join(t[i]);
    KEXPECT_EQ(r.violations, 0);
}

/* ---- critical sections ---- */

static void note_ran(void *arg) { *(volatile int *)arg = 1; }

KTEST(crit_sections_nest_and_keep_other_threads_off_the_cpu)
{
    int base = crit_depth();
    crit_enter();
    crit_enter();
    KEXPECT_EQ(crit_depth(), base + 2);
    KEXPECT_TRUE(irqs_enabled()); /* interrupts stay on */
    /* A thread made runnable on this CPU does not run inside the section. */
    volatile int ran = 0;
    struct thread *t = thread_create("crit_probe", note_ran, (void *)&ran, (int)cpu_id());
    uint64_t end = clock_ns() + 30 * NSEC_PER_MSEC; /* > 1 time slice */
    while (clock_ns() < end)
        cpu_relax();
    KEXPECT_EQ(ran, 0);
    crit_exit();
    KEXPECT_EQ(crit_depth(), base + 1);
    KEXPECT_EQ(ran, 0);
    crit_exit();
    KEXPECT_EQ(crit_depth(), base);
    thread_join(t);
    KEXPECT_EQ(ran, 1);
}

/* ---- classes and the held stack ---- */

KTEST(locks_with_one_name_share_one_class)
{
    struct spinlock a, b, c;
    spin_init(&a, "test_shared_class");
    spin_init(&b, "test_shared_class");
    spin_init(&c, "test_other_class");
    spin_lock(&a);
    spin_unlock(&a);
    spin_lock(&b);
    spin_unlock(&b);
    spin_lock(&c);
    spin_unlock(&c);
#if WISP_LOCKDEP_ENABLED
    KEXPECT_NE(a.dep.class_id, 0);
    KEXPECT_EQ(a.dep.class_id, b.dep.class_id);
    KEXPECT_NE(a.dep.class_id, c.dep.class_id);
    KEXPECT_EQ(lockdep_class_id("test_shared_class"), a.dep.class_id);
    KEXPECT_STREQ(lockdep_class_name(c.dep.class_id), "test_other_class");
#endif
}

KTEST(held_lock_stack_follows_nesting)
{
    struct spinlock a, b;
    struct mutex m;
    spin_init(&a, "test_held_a");
    spin_init(&b, "test_held_b");
    mutex_init(&m, "test_held_m");
    unsigned base = lockdep_held_count();
    mutex_lock(&m);
    spin_lock(&a);
    spin_lock(&b);
    if (WISP_LOCKDEP_ENABLED)
        KEXPECT_EQ(lockdep_held_count(), base + 3);
    spin_unlock(&a); /* out of order is allowed */
    spin_unlock(&b);
    mutex_unlock(&m);
    KEXPECT_EQ(lockdep_held_count(), base);
}
