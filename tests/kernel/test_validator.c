/* test_validator.c — the lock validator and the contract hooks: every
 * violation kind, triggered on purpose between test-only classes, is
 * reported exactly once, with the right classes and threads.
 *
 * Deliberate violations happen inside lockdep_expect_begin()/end(), so the
 * ktest runner does not count them as unexpected; everything else in the
 * run must produce no report at all.
 */
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <wisp/smp.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <locks/spinlock.h>
#include <locks/mutex.h>
#include <locks/rwlock.h>
#include <locks/crit.h>
#include <locks/contract.h>
#include <string.h>

#if WISP_LOCKDEP_ENABLED

/* Runs a deliberate violation twice from one call site (the volatile
 * counter keeps the compiler from unrolling it into two sites); it must be
 * reported once. */
#define EXPECT_REPORTED_ONCE(kind_, body) \
    do { \
        uint64_t kind_before_ = lockdep_report_count(kind_); \
        lockdep_expect_begin(); \
        for (volatile int rep_ = 0; rep_ < 2; rep_++) { \
            body; \
        } \
        KEXPECT_EQ(lockdep_expect_end(), 1); \
        KEXPECT_EQ(lockdep_report_count(kind_) - kind_before_, 1); \
        KEXPECT_EQ(lockdep_last_report().problem, kind_); \
    } while (0)

static bool always_true(void *arg) { return true; }

/* Calls a sleeping primitive whose condition already holds: the validator
 * sees a sleep, but the thread does not actually block. */
static void sleep_point(void)
{
    static struct wait_queue wq = WAIT_QUEUE_INIT(wq);
    wait_queue_wait(&wq, always_true, NULL);
}

KTEST(validator_reports_order_inversion_once)
{
    static struct spinlock a = SPINLOCK_INIT("vtest_order_a");
    static struct spinlock b = SPINLOCK_INIT("vtest_order_b");
    spin_lock(&a);
    spin_lock(&b);
    spin_unlock(&b);
    spin_unlock(&a);
    EXPECT_REPORTED_ONCE(LOCKDEP_ORDER_INVERSION, {
        spin_lock(&b);
        spin_lock(&a);
        spin_unlock(&a);
        spin_unlock(&b);
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.class_a, "vtest_order_a");
    KEXPECT_STREQ(r.class_b, "vtest_order_b");
    KEXPECT_EQ(r.thread_a, current_thread()->id);
    KEXPECT_EQ(r.thread_b, current_thread()->id);
}

static struct spinlock xthread_a = SPINLOCK_INIT("vtest_xthread_a");
static struct spinlock xthread_b = SPINLOCK_INIT("vtest_xthread_b");

static void take_a_then_b(void *arg)
{
    spin_lock(&xthread_a);
    spin_lock(&xthread_b);
    spin_unlock(&xthread_b);
    spin_unlock(&xthread_a);
}

KTEST(validator_reports_inversion_between_two_threads_once)
{
    unsigned other = (cpu_id() + 1) % cpu_count;
    struct thread *t = thread_create("vtest_a_then_b", take_a_then_b, NULL, (int)other);
    KASSERT_TRUE(t != NULL);
    uint32_t first_id = t->id;
    thread_join(t);
    EXPECT_REPORTED_ONCE(LOCKDEP_ORDER_INVERSION, {
        spin_lock(&xthread_b);
        spin_lock(&xthread_a);
        spin_unlock(&xthread_a);
        spin_unlock(&xthread_b);
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.class_a, "vtest_xthread_a");
    KEXPECT_STREQ(r.class_b, "vtest_xthread_b");
    KEXPECT_EQ(r.thread_a, current_thread()->id);
    KEXPECT_EQ(r.thread_b, first_id);
}

KTEST(validator_reports_inversion_through_a_chain)
{
    static struct spinlock a = SPINLOCK_INIT("vtest_chain_a");
    static struct mutex b = MUTEX_INIT(b, "vtest_chain_b");
    static struct spinlock c = SPINLOCK_INIT("vtest_chain_c");
    mutex_lock(&b); /* b -> c */
    spin_lock(&c);
    spin_unlock(&c);
    mutex_unlock(&b);
    spin_lock(&a); /* a -> b (a mutex under a spinlock is its own report) */
    lockdep_expect_begin();
    mutex_lock(&b);
    mutex_unlock(&b);
    lockdep_expect_end();
    spin_unlock(&a);
    EXPECT_REPORTED_ONCE(LOCKDEP_ORDER_INVERSION, {
        spin_lock(&c); /* c -> a closes a -> b -> c */
        spin_lock(&a);
        spin_unlock(&a);
        spin_unlock(&c);
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.class_a, "vtest_chain_a");
    KEXPECT_STREQ(r.class_b, "vtest_chain_c");
}

KTEST(validator_accepts_a_consistent_order)
{
    static struct spinlock a = SPINLOCK_INIT("vtest_good_a");
    static struct spinlock b = SPINLOCK_INIT("vtest_good_b");
    uint64_t before = lockdep_reports_total();
    for (int i = 0; i < 3; i++) {
        spin_lock(&a);
        spin_lock(&b);
        spin_unlock(&b);
        spin_unlock(&a);
    }
    KEXPECT_EQ(lockdep_reports_total(), before);
}

KTEST(validator_reports_sleep_while_holding_spinlock_once)
{
    static struct spinlock s = SPINLOCK_INIT("vtest_sleep_spin");
    EXPECT_REPORTED_ONCE(LOCKDEP_SLEEP_IN_ATOMIC, {
        spin_lock(&s);
        sleep_point();
        spin_unlock(&s);
    });
    KEXPECT_STREQ(lockdep_last_report().class_a, "vtest_sleep_spin");
}

KTEST(validator_reports_mutex_in_critical_section_once)
{
    static struct mutex m = MUTEX_INIT(m, "vtest_crit_mutex");
    EXPECT_REPORTED_ONCE(LOCKDEP_SLEEP_IN_ATOMIC, {
        crit_enter();
        mutex_lock(&m); /* free: it does not block, but it may */
        mutex_unlock(&m);
        crit_exit();
    });
    KEXPECT_STREQ(lockdep_last_report().class_a, "crit_section");
}

KTEST(validator_reports_sleep_with_preemption_off_once)
{
    EXPECT_REPORTED_ONCE(LOCKDEP_SLEEP_IN_ATOMIC, {
        preempt_disable();
        sleep_point();
        preempt_enable();
    });
    KEXPECT_TRUE(lockdep_last_report().class_a == NULL);
}

static volatile int irq_calls;

static void sleep_in_interrupt(void *arg)
{
    sleep_point();
    __atomic_fetch_add(&irq_calls, 1, __ATOMIC_RELAXED);
}

KTEST(validator_reports_sleep_in_interrupt_once)
{
    irq_calls = 0;
    EXPECT_REPORTED_ONCE(LOCKDEP_SLEEP_IN_ATOMIC, {
        smp_call_others(sleep_in_interrupt, NULL); /* 3 CPUs, one site */
    });
    KEXPECT_EQ(irq_calls, 2 * ((int)cpu_count - 1));
}

static struct spinlock irq_lock = SPINLOCK_INIT("vtest_irq_unsafe");

static void take_in_interrupt(void *arg)
{
    uint64_t flags = spin_lock_irqsave(&irq_lock);
    spin_unlock_irqrestore(&irq_lock, flags);
}

KTEST(validator_reports_irq_safety_inversion_once)
{
    EXPECT_REPORTED_ONCE(LOCKDEP_IRQ_SAFETY, {
        spin_lock(&irq_lock); /* interrupts enabled here */
        spin_unlock(&irq_lock);
        smp_call_others(take_in_interrupt, NULL);
    });
    KEXPECT_STREQ(lockdep_last_report().class_a, "vtest_irq_unsafe");
}

KTEST(validator_reports_recursive_read_once)
{
    static struct rwlock rw = RWLOCK_INIT("vtest_recursive_rw");
    EXPECT_REPORTED_ONCE(LOCKDEP_RECURSIVE_ACQUIRE, {
        read_lock(&rw);
        read_lock(&rw); /* deadlocks once a writer waits between */
        read_unlock(&rw);
        read_unlock(&rw);
    });
    KEXPECT_STREQ(lockdep_last_report().class_a, "vtest_recursive_rw");
}

struct non_owner {
    struct mutex *m;
    struct spinlock *s;
};

static void unlock_what_others_hold(void *arg)
{
    struct non_owner *n = arg;
    mutex_unlock(n->m);
}

KTEST(validator_reports_unlock_by_non_owner_once_and_refuses_it)
{
    static struct mutex m = MUTEX_INIT(m, "vtest_non_owner");
    struct non_owner n = { &m, NULL };
    mutex_lock(&m);
    uint32_t helper_id = 0;
    EXPECT_REPORTED_ONCE(LOCKDEP_UNLOCK_NON_OWNER, {
        struct thread *t = thread_create("vtest_unlocker", unlock_what_others_hold, &n, -1);
        if (!helper_id)
            helper_id = t->id; /* the second run's report is a duplicate */
        thread_join(t);
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.class_a, "vtest_non_owner");
    KEXPECT_EQ(r.thread_a, helper_id);
    KEXPECT_EQ(r.thread_b, current_thread()->id);
    KEXPECT_TRUE(mutex_owner(&m) == current_thread()); /* still ours */
    mutex_unlock(&m);
    KEXPECT_FALSE(mutex_is_locked(&m));
}

KTEST(validator_reports_release_not_held_once_and_refuses_it)
{
    static struct spinlock s = SPINLOCK_INIT("vtest_not_held");
    int preempt = this_cpu()->preempt_count;
    EXPECT_REPORTED_ONCE(LOCKDEP_RELEASE_NOT_HELD, { spin_unlock(&s); });
    KEXPECT_STREQ(lockdep_last_report().class_a, "vtest_not_held");
    KEXPECT_EQ(this_cpu()->preempt_count, preempt);
    /* The refused release did not corrupt the ticket lock. */
    KEXPECT_FALSE(spin_is_locked(&s));
    KASSERT_TRUE(spin_trylock(&s));
    spin_unlock(&s);
    KEXPECT_FALSE(spin_is_locked(&s));
}

/* ---- contract hooks ---- */

KTEST(contract_nosleep_region_reports_a_sleep_once)
{
    EXPECT_REPORTED_ONCE(LOCKDEP_CONTRACT_NOSLEEP, {
        contract_nosleep_begin("vtest:nosleep_fn");
        sleep_point();
        contract_nosleep_end();
    });
    KEXPECT_STREQ(lockdep_last_report().who, "vtest:nosleep_fn");
    /* Outside the region the same sleep is fine. */
    uint64_t before = lockdep_reports_total();
    sleep_point();
    KEXPECT_EQ(lockdep_reports_total(), before);
}

KTEST(contract_might_sleep_reports_an_atomic_caller_once)
{
    static struct spinlock s = SPINLOCK_INIT("vtest_may_sleep_caller");
    EXPECT_REPORTED_ONCE(LOCKDEP_SLEEP_IN_ATOMIC, {
        spin_lock(&s);
        contract_might_sleep("vtest:may_sleep_fn");
        spin_unlock(&s);
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.who, "vtest:may_sleep_fn");
    KEXPECT_STREQ(r.class_a, "vtest_may_sleep_caller");
    uint64_t before = lockdep_reports_total();
    contract_might_sleep("vtest:may_sleep_fn"); /* process context: fine */
    KEXPECT_EQ(lockdep_reports_total(), before);
}

KTEST(contract_require_held_reports_a_missing_class_once)
{
    static struct spinlock s = SPINLOCK_INIT("vtest_required");
    spin_lock(&s);
    KEXPECT_TRUE(contract_require_held("vtest_required", "vtest:needs_lock"));
    spin_unlock(&s);
    EXPECT_REPORTED_ONCE(LOCKDEP_CONTRACT_REQUIRE_HELD, {
        KEXPECT_FALSE(contract_require_held("vtest_required", "vtest:needs_lock"));
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.class_a, "vtest_required");
    KEXPECT_STREQ(r.who, "vtest:needs_lock");
}

struct reentry {
    struct contract_nonreentrant state;
    volatile int inside, release;
};

static void enter_and_wait(void *arg)
{
    struct reentry *r = arg;
    contract_nonreentrant_enter(&r->state);
    r->inside = 1;
    while (!READ_ONCE(r->release))
        sched_sleep_ns(NSEC_PER_MSEC);
    contract_nonreentrant_exit(&r->state);
}

KTEST(contract_nonreentrant_reports_a_concurrent_entry_once)
{
    static struct reentry r = { .state = CONTRACT_NONREENTRANT_INIT("vtest:not_reentrant") };
    r.inside = r.release = 0;
    struct thread *t = thread_create("vtest_inside", enter_and_wait, &r, -1);
    uint64_t end = clock_ns() + 5 * NSEC_PER_SEC;
    while (!r.inside && clock_ns() < end)
        sched_sleep_ns(NSEC_PER_MSEC);
    KASSERT_TRUE(r.inside);
    EXPECT_REPORTED_ONCE(LOCKDEP_CONTRACT_REENTERED, {
        contract_nonreentrant_enter(&r.state);
        contract_nonreentrant_exit(&r.state); /* not ours: no effect */
    });
    struct lockdep_report_info info = lockdep_last_report();
    KEXPECT_STREQ(info.who, "vtest:not_reentrant");
    KEXPECT_EQ(info.thread_a, current_thread()->id);
    KEXPECT_EQ(info.thread_b, t->id);
    r.release = 1;
    thread_join(t);
    /* Sequential entries are fine. */
    uint64_t before = lockdep_reports_total();
    contract_nonreentrant_enter(&r.state);
    contract_nonreentrant_exit(&r.state);
    KEXPECT_EQ(lockdep_reports_total(), before);
}

KTEST(contract_scope_lists_classes_and_reports_undeclared_once)
{
    static struct spinlock x = SPINLOCK_INIT("vtest_scope_declared");
    static struct mutex y = MUTEX_INIT(y, "vtest_scope_undeclared");
    static const char *const declared[] = { "vtest_scope_declared" };
    EXPECT_REPORTED_ONCE(LOCKDEP_CONTRACT_UNDECLARED_CLASS, {
        struct contract_scope scope;
        contract_scope_begin(&scope, "vtest:scoped_fn");
        spin_lock(&x);
        spin_unlock(&x);
        mutex_lock(&y);
        mutex_unlock(&y);
        contract_scope_end(&scope);
        KEXPECT_TRUE(contract_scope_took(&scope, "vtest_scope_declared"));
        KEXPECT_TRUE(contract_scope_took(&scope, "vtest_scope_undeclared"));
        KEXPECT_FALSE(contract_scope_took(&scope, "vtest_order_a"));
        KEXPECT_EQ(contract_scope_check_declared(&scope, declared, 1), 1);
    });
    struct lockdep_report_info r = lockdep_last_report();
    KEXPECT_STREQ(r.class_a, "vtest_scope_undeclared");
    KEXPECT_STREQ(r.who, "vtest:scoped_fn");
}

KTEST(contract_scopes_nest)
{
    static struct spinlock x = SPINLOCK_INIT("vtest_nest_outer");
    static struct spinlock y = SPINLOCK_INIT("vtest_nest_inner");
    struct contract_scope outer, inner;
    contract_scope_begin(&outer, "vtest:outer");
    spin_lock(&x);
    spin_unlock(&x);
    contract_scope_begin(&inner, "vtest:inner");
    spin_lock(&y);
    spin_unlock(&y);
    contract_scope_end(&inner);
    contract_scope_end(&outer);
    KEXPECT_FALSE(contract_scope_took(&inner, "vtest_nest_outer"));
    KEXPECT_TRUE(contract_scope_took(&inner, "vtest_nest_inner"));
    KEXPECT_TRUE(contract_scope_took(&outer, "vtest_nest_outer"));
    KEXPECT_TRUE(contract_scope_took(&outer, "vtest_nest_inner"));
}

KTEST_PANIC(validator_fatal_mode_panics_on_a_report, "lockdep: fatal")
{
    static struct spinlock s = SPINLOCK_INIT("vtest_fatal");
    lockdep_set_fatal(true);
    spin_unlock(&s);
}

#endif

/* lockdep_assert_held: what a *_locked function asserts. Held: nothing
 * happens; not held: a panic naming the lock. */
static struct spinlock assert_lock = SPINLOCK_INIT("assert_test");

KTEST(validator_assert_held_passes_while_the_lock_is_held)
{
    spin_lock(&assert_lock);
    lockdep_assert_held(&assert_lock.dep);
    spin_unlock(&assert_lock);
    KEXPECT_EQ(lockdep_held_count(), 0u);
}

KTEST_PANIC(validator_assert_held_panics_when_the_lock_is_not_held,
            "lock assert_test not held by thread")
{
    lockdep_assert_held(&assert_lock.dep);
    __asm__ volatile("" : : : "memory"); /* no tail call: the backtrace names this test */
}
