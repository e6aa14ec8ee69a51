/* test_rcu.c — epochs: sections, grace periods, callbacks, barrier, epoch
 * tables, sleepable sections, memory after reclaim, and the epoch torture.
 *
 * Timing is never the verdict: a test that must show "X has not happened
 * yet" checks it while the thing X waits for is still held, and the
 * ordering is also checked from the inside (a grace period records whether
 * the reader it waited for had left). Timeouts only turn a hang into a
 * failure. */
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/mm.h>
#include <wisp/smp.h>
#include <rcu/rcu.h>
#include <rcu/epoch_table.h>
#include <wisp/torture.h>

#define WAIT_TIMEOUT_MS 5000

/* Polls *flag (sleeping a tick at a time) until it is true or timeout_ms
 * passes; returns its last value. */
static bool wait_until(volatile bool *flag, uint64_t timeout_ms)
{
    uint64_t end = clock_ns() + timeout_ms * NSEC_PER_MSEC;
    while (!*flag && clock_ns() < end)
        sched_sleep_ns(NSEC_PER_MSEC);
    return *flag;
}

/* A reader that enters `depth` nested sections, says so, and stays inside
 * until released. Sleepable readers sleep inside while they wait. */
struct held_reader {
    int depth;
    bool sleepable;
    volatile bool inside;
    volatile bool release;
    volatile bool left;
    volatile bool slept;
};

static void held_reader_thread(void *arg)
{
    struct held_reader *r = arg;
    struct rcu_reader *rec = r->sleepable ? rcu_reader_get() : NULL;
    while (READ_ONCE(r->depth) == 0 && !r->release) /* depth 0: wait to be started */
        sched_sleep_ns(NSEC_PER_MSEC);
    for (int i = 0; i < r->depth; i++) {
        if (rec)
            rcu_read_lock_sleepable(rec);
        else
            rcu_read_lock();
    }
    /* One extra level entered and left: the section must survive it. */
    if (!rec) {
        rcu_read_lock();
        rcu_read_unlock();
    }
    r->inside = true;
    while (!r->release) {
        if (rec) {
            sched_sleep_ns(NSEC_PER_MSEC);
            r->slept = true;
        } else {
            cpu_relax();
        }
    }
    r->left = true; /* before the exit: a grace period must see it */
    for (int i = 0; i < r->depth; i++) {
        if (rec)
            rcu_read_unlock_sleepable(rec);
        else
            rcu_read_unlock();
    }
    if (rec)
        rcu_reader_put(rec);
}

/* Runs one rcu_synchronize() and records what it saw. */
struct syncer {
    struct held_reader *waited_for;
    volatile bool started;
    volatile bool done;
    volatile bool reader_had_left;
};

static void syncer_thread(void *arg)
{
    struct syncer *s = arg;
    s->started = true;
    rcu_synchronize();
    s->reader_had_left = s->waited_for ? s->waited_for->left : true;
    s->done = true;
}

KTEST(rcu_read_sections_nest)
{
    int base = this_cpu()->preempt_count;
    KEXPECT_FALSE(rcu_read_lock_held());
    rcu_read_lock();
    rcu_read_lock();
    KEXPECT_TRUE(rcu_read_lock_held());
    KEXPECT_EQ(rcu_cpus[cpu_id()].record.active, 2);
    KEXPECT_EQ(this_cpu()->preempt_count, base + 2);
    rcu_read_unlock();
    KEXPECT_TRUE(rcu_read_lock_held());
    KEXPECT_EQ(this_cpu()->preempt_count, base + 1);
    rcu_read_unlock();
    KEXPECT_FALSE(rcu_read_lock_held());
    KEXPECT_EQ(this_cpu()->preempt_count, base);

    struct rcu_reader *rec = rcu_reader_get();
    KASSERT_TRUE(rec != NULL);
    rcu_read_lock_sleepable(rec);
    rcu_read_lock_sleepable(rec);
    KEXPECT_EQ(rec->record.active, 2);
    KEXPECT_EQ(this_cpu()->preempt_count, base); /* sleepable: preemptible */
    rcu_read_unlock_sleepable(rec);
    rcu_read_unlock_sleepable(rec);
    KEXPECT_EQ(rec->record.active, 0);
    rcu_reader_put(rec);
}

/* A reader holds a section (entered before the grace period starts) on
 * CPU 1; a synchronize on CPU 2 must not return until the reader leaves. */
static void check_synchronize_waits(struct ktest_ctx *ctx, int depth, bool sleepable,
                                    int reader_cpu, int syncer_cpu)
{
    struct held_reader r = { .depth = depth, .sleepable = sleepable };
    struct syncer s = { .waited_for = &r };
    struct thread *rt = thread_create("held_reader", held_reader_thread, &r, reader_cpu);
    KASSERT_TRUE(rt != NULL);
    KEXPECT_TRUE(wait_until(&r.inside, WAIT_TIMEOUT_MS));
    struct thread *st = thread_create("syncer", syncer_thread, &s, syncer_cpu);
    if (!st) {
        r.release = true;
        thread_join(rt);
    }
    KASSERT_TRUE(st != NULL);
    KEXPECT_TRUE(wait_until(&s.started, WAIT_TIMEOUT_MS));
    sched_sleep_ns(50 * NSEC_PER_MSEC);
    KEXPECT_FALSE(s.done); /* the reader is still inside */
    if (sleepable)
        KEXPECT_TRUE(r.slept);
    r.release = true;
    thread_join(rt);
    thread_join(st);
    KEXPECT_TRUE(s.done);
    KEXPECT_TRUE(s.reader_had_left); /* ordering seen by the grace period */
}

KTEST(rcu_synchronize_waits_for_earlier_reader) { check_synchronize_waits(ctx, 1, false, 1, 2); }

KTEST(rcu_synchronize_waits_for_outermost_exit_of_nested_reader)
{
    check_synchronize_waits(ctx, 3, false, 1, 2);
}

/* The reader sleeps inside its section, on the synchronizer's own CPU (the
 * synchronizer must yield or sleep to let it finish). */
KTEST(rcu_sleepable_section_may_sleep_and_is_waited_for)
{
    check_synchronize_waits(ctx, 2, true, 2, 2);
}

/* R1 (entered first) blocks a grace period. Once the epoch has advanced,
 * R2 enters and stays inside; when R1 leaves, the grace period must end
 * although R2 is still inside: it does not wait for later readers. */
KTEST(rcu_synchronize_does_not_wait_for_later_reader)
{
    rcu_barrier(); /* no reclaimer grace period running beside ours */
    struct held_reader r1 = { .depth = 1 }, r2 = { .depth = 0 };
    struct syncer s = { .waited_for = &r1 };
    unsigned epoch_before = rcu_epoch_value();
    struct thread *t1 = thread_create("reader1", held_reader_thread, &r1, 1);
    KASSERT_TRUE(t1 != NULL);
    KEXPECT_TRUE(wait_until(&r1.inside, WAIT_TIMEOUT_MS));
    struct thread *st = thread_create("syncer", syncer_thread, &s, 2);
    struct thread *t2 = thread_create("reader2", held_reader_thread, &r2, 3);
    if (!st || !t2) {
        r1.release = r2.release = true;
        thread_join(t1);
        if (st)
            thread_join(st);
        if (t2)
            thread_join(t2);
    }
    KASSERT_TRUE(st && t2);
    uint64_t end = clock_ns() + WAIT_TIMEOUT_MS * NSEC_PER_MSEC;
    while (rcu_epoch_value() == epoch_before && clock_ns() < end)
        sched_sleep_ns(NSEC_PER_MSEC);
    KEXPECT_NE(rcu_epoch_value(), epoch_before);
    r2.depth = 1; /* starts it: reader2 waits for this before entering */
    KEXPECT_TRUE(wait_until(&r2.inside, WAIT_TIMEOUT_MS));
    KEXPECT_FALSE(s.done);
    r1.release = true;
    KEXPECT_TRUE(wait_until(&s.done, WAIT_TIMEOUT_MS));
    KEXPECT_FALSE(r2.left); /* R2 was inside all along */
    r2.release = true;
    thread_join(t1);
    thread_join(t2);
    thread_join(st);
}

/* ---- forward progress ------------------------------------------------------ */

struct spinning_reader {
    volatile bool *stop;
    volatile uint64_t sections;
};

static void spinning_reader_thread(void *arg)
{
    struct spinning_reader *r = arg;
    while (!*r->stop) {
        rcu_read_lock();
        for (int i = 0; i < 50; i++)
            cpu_relax();
        rcu_read_unlock();
        r->sections++;
    }
}

/* Two sleepable records used hand over hand: at every instant one of them
 * is inside a section, yet each section is short. */
static void overlapping_reader_thread(void *arg)
{
    struct spinning_reader *r = arg;
    struct rcu_reader *a = rcu_reader_get(), *b = rcu_reader_get();
    if (!a || !b)
        return;
    rcu_read_lock_sleepable(a);
    while (!*r->stop) {
        rcu_read_lock_sleepable(b);
        rcu_read_unlock_sleepable(a);
        rcu_read_lock_sleepable(a);
        rcu_read_unlock_sleepable(b);
        r->sections += 2;
    }
    rcu_read_unlock_sleepable(a);
    rcu_reader_put(a);
    rcu_reader_put(b);
}

struct sync_loop {
    int rounds;
    volatile int completed;
    volatile bool done;
};

static void sync_loop_thread(void *arg)
{
    struct sync_loop *l = arg;
    for (int i = 0; i < l->rounds; i++) {
        rcu_synchronize();
        l->completed++;
    }
    l->done = true;
}

KTEST(rcu_grace_periods_complete_under_continuous_readers)
{
    volatile bool stop = false;
    struct spinning_reader readers[MAX_CPUS + 1];
    struct thread *threads[MAX_CPUS + 1];
    unsigned n = cpu_count;
    for (unsigned i = 0; i <= n; i++) {
        readers[i] = (struct spinning_reader){ .stop = &stop };
        threads[i] =
            i < n ? thread_create("spin_reader", spinning_reader_thread, &readers[i], (int)i)
                  : thread_create("overlap_reader", overlapping_reader_thread, &readers[i], 1);
        KASSERT_TRUE(threads[i] != NULL);
    }
    struct sync_loop l = { .rounds = 20 };
    uint64_t gp_before = rcu_gp_count();
    struct thread *st = thread_create("sync_loop", sync_loop_thread, &l, 2);
    KASSERT_TRUE(st != NULL);
    bool done = wait_until(&l.done, 4 * WAIT_TIMEOUT_MS);
    stop = true;
    for (unsigned i = 0; i <= n; i++)
        thread_join(threads[i]);
    thread_join(st);
    KEXPECT_TRUE(done);
    KEXPECT_EQ(l.completed, 20);
    KEXPECT_GE(rcu_gp_count() - gp_before, 20);
    for (unsigned i = 0; i <= n; i++)
        KEXPECT_GT(readers[i].sections, 0);
}

/* ---- callbacks ----------------------------------------------------------- */

struct callback_probe {
    struct rcu_head head;
    struct held_reader *reader;
    volatile bool ran;
    volatile bool reader_had_left;
};

static void probe_callback(struct rcu_head *head)
{
    struct callback_probe *p = container_of(head, struct callback_probe, head);
    p->reader_had_left = p->reader->left;
    p->ran = true;
}

KTEST(rcu_call_runs_only_after_grace_period)
{
    struct held_reader r = { .depth = 1 };
    struct callback_probe p = { .reader = &r };
    struct thread *rt = thread_create("held_reader", held_reader_thread, &r, 1);
    KASSERT_TRUE(rt != NULL);
    KEXPECT_TRUE(wait_until(&r.inside, WAIT_TIMEOUT_MS));
    rcu_call(&p.head, probe_callback);
    sched_sleep_ns(50 * NSEC_PER_MSEC);
    KEXPECT_FALSE(p.ran); /* the reader is still inside */
    r.release = true;
    thread_join(rt);
    rcu_barrier();
    KEXPECT_TRUE(p.ran);
    KEXPECT_TRUE(p.reader_had_left);
}

#define CALLS_PER_CPU 300

struct counted_call {
    struct rcu_head head;
    uint64_t *counter;
};

static void counted_callback(struct rcu_head *head)
{
    struct counted_call *c = container_of(head, struct counted_call, head);
    ck_pr_inc_64(c->counter);
    kfree(c);
}

struct caller {
    uint64_t *counter;
    int queued;
};

static void caller_thread(void *arg)
{
    struct caller *c = arg;
    for (int i = 0; i < CALLS_PER_CPU; i++) {
        struct counted_call *call = kmalloc(sizeof(*call));
        if (!call)
            return;
        call->counter = c->counter;
        rcu_call(&call->head, counted_callback);
        c->queued++;
        if (i % 64 == 0)
            thread_yield();
    }
}

KTEST(rcu_barrier_waits_for_every_queued_callback)
{
    uint64_t counter = 0;
    struct caller callers[MAX_CPUS];
    struct thread *t[MAX_CPUS];
    for (unsigned i = 0; i < cpu_count; i++) {
        callers[i] = (struct caller){ .counter = &counter };
        t[i] = thread_create("rcu_caller", caller_thread, &callers[i], (int)i);
        KASSERT_TRUE(t[i] != NULL);
    }
    int total = 0;
    for (unsigned i = 0; i < cpu_count; i++) {
        thread_join(t[i]);
        total += callers[i].queued;
    }
    KEXPECT_EQ(total, (int)cpu_count * CALLS_PER_CPU);
    rcu_barrier();
    KEXPECT_EQ(ck_pr_load_64(&counter), (uint64_t)total);
    rcu_barrier(); /* nothing queued: returns too */
    KEXPECT_EQ(ck_pr_load_64(&counter), (uint64_t)total);
}

/* ---- interrupt context --------------------------------------------------------- */

struct irq_probe {
    struct rcu_head heads[MAX_CPUS];
    uint64_t handlers;
    uint64_t in_interrupt;
    uint64_t callbacks;
    unsigned depth_seen[MAX_CPUS];
};

static struct irq_probe irq_probe;

static void irq_probe_callback(struct rcu_head *head __unused)
{
    ck_pr_inc_64(&irq_probe.callbacks);
}

/* Runs in interrupt context on every other CPU (smp_call_others). */
static void irq_probe_handler(void *arg __unused)
{
    unsigned cpu = cpu_id();
    rcu_read_lock();
    irq_probe.depth_seen[cpu] = rcu_cpus[cpu].record.active;
    rcu_call(&irq_probe.heads[cpu], irq_probe_callback);
    rcu_read_unlock();
    if (in_interrupt())
        ck_pr_inc_64(&irq_probe.in_interrupt);
    ck_pr_inc_64(&irq_probe.handlers);
}

/* Interrupt handlers may enter sections and queue callbacks; a handler's
 * section nests inside the section it interrupted and leaves it intact. */
KTEST(rcu_sections_and_rcu_call_work_in_interrupt_handlers)
{
    irq_probe = (struct irq_probe){ 0 };
    struct held_reader r = { .depth = 1 };
    struct syncer s = { .waited_for = &r };
    unsigned reader_cpu = (cpu_id() + 1) % cpu_count; /* not ours: it gets the IPI */
    struct thread *rt = thread_create("held_reader", held_reader_thread, &r, (int)reader_cpu);
    KASSERT_TRUE(rt != NULL);
    KEXPECT_TRUE(wait_until(&r.inside, WAIT_TIMEOUT_MS));
    smp_call_others(irq_probe_handler, NULL);
    unsigned others = cpu_count - 1;
    KEXPECT_EQ(irq_probe.handlers, others);
    KEXPECT_EQ(irq_probe.in_interrupt, others);
    KEXPECT_EQ(irq_probe.depth_seen[reader_cpu], 2);   /* nested in the reader's section */
    KEXPECT_EQ(rcu_cpus[reader_cpu].record.active, 1); /* which survives */
    struct thread *st =
        thread_create("syncer", syncer_thread, &s, (int)(reader_cpu + 1) % (int)cpu_count);
    if (st) {
        KEXPECT_TRUE(wait_until(&s.started, WAIT_TIMEOUT_MS));
        sched_sleep_ns(30 * NSEC_PER_MSEC);
        KEXPECT_FALSE(s.done);
    }
    r.release = true;
    thread_join(rt);
    KASSERT_TRUE(st != NULL);
    thread_join(st);
    KEXPECT_TRUE(s.reader_had_left);
    rcu_barrier();
    KEXPECT_EQ(ck_pr_load_64(&irq_probe.callbacks), others);
}

/* ---- epoch table ------------------------------------------------------------ */

struct slot_object {
    int value;
    struct rcu_head head;
};

static uint64_t slot_objects_freed;

static void free_slot_object(struct rcu_head *head)
{
    kfree(container_of(head, struct slot_object, head));
    ck_pr_inc_64(&slot_objects_freed);
}

static struct slot_object *new_slot_object(int value)
{
    struct slot_object *o = kmalloc(sizeof(*o));
    if (o)
        o->value = value;
    return o;
}

KTEST(epoch_table_publish_load_retire)
{
    KEXPECT_TRUE(epoch_table_create(0) == NULL);
    struct epoch_table *t = epoch_table_create(4);
    KASSERT_TRUE(t != NULL);
    KEXPECT_EQ(t->slot_count, 4);
    rcu_read_lock();
    for (size_t i = 0; i < 4; i++)
        KEXPECT_TRUE(epoch_slot_load(t, i) == NULL);
    rcu_read_unlock();

    uint64_t freed_before = ck_pr_load_64(&slot_objects_freed);
    struct slot_object *a = new_slot_object(1), *b = new_slot_object(2);
    KASSERT_TRUE(a && b);
    KEXPECT_TRUE(EPOCH_SLOT_REPLACE(t, 2, a, struct slot_object, head, free_slot_object) == NULL);
    rcu_read_lock();
    struct slot_object *seen = epoch_slot_load(t, 2);
    KEXPECT_EQ(seen->value, 1);
    /* Replaced while we hold it: it stays valid until we leave. */
    KEXPECT_TRUE(EPOCH_SLOT_REPLACE(t, 2, b, struct slot_object, head, free_slot_object) == a);
    KEXPECT_EQ(seen->value, 1);
    KEXPECT_EQ(((struct slot_object *)epoch_slot_load(t, 2))->value, 2);
    rcu_read_unlock();

    rcu_barrier();
    KEXPECT_EQ(ck_pr_load_64(&slot_objects_freed) - freed_before, 1); /* a */
    void *old = epoch_slot_publish(t, 2, NULL);
    KEXPECT_TRUE(old == b);
    rcu_synchronize();
    kfree(old);
    epoch_table_destroy(t);
}

KTEST(rcu_reader_records_are_recycled)
{
    struct rcu_reader *a = rcu_reader_get();
    KASSERT_TRUE(a != NULL);
    rcu_reader_put(a);
    struct rcu_reader *b = rcu_reader_get();
    KEXPECT_TRUE(a == b);
    rcu_reader_put(b);
}

/* ---- memory ------------------------------------------------------------------ */

static void kfree_callback(struct rcu_head *head) { kfree(head); }

KTEST(rcu_reclaim_returns_memory)
{
    rcu_barrier();
    size_t heap_before = kmem_bytes_in_use();
    size_t pages_before = pmm_free_page_count();
    for (int i = 0; i < 2000; i++) {
        struct rcu_head *h = kmalloc(i % 250 == 0 ? 3 * 4096 : 64);
        KASSERT_TRUE(h != NULL);
        rcu_call(h, kfree_callback);
    }
    KEXPECT_GT(kmem_bytes_in_use(), heap_before);
    rcu_barrier();
    KEXPECT_EQ(rcu_callbacks_pending(), 0);
    KEXPECT_EQ(kmem_bytes_in_use(), heap_before);
    KEXPECT_EQ(pmm_free_page_count(), pages_before);
}

/* ---- torture ------------------------------------------------------------------ */

KTEST(epoch_torture_short_succeeds)
{
    struct torture_result r = torture_run("epoch", 3000, false);
    KEXPECT_TRUE(r.success);
    KEXPECT_EQ(r.errors, 0);
    KEXPECT_GT(r.ops, 0);
    KEXPECT_GT(r.grace_periods, 0);
}

/* A synchronize that does not wait: the torture must catch it. */
KTEST(epoch_torture_busted_is_detected)
{
    struct torture_result r = torture_run("epoch", 5000, true);
    KEXPECT_FALSE(r.success);
    KEXPECT_GT(r.errors, 0);
}

static void synchronize_inside_section(void)
{
    rcu_read_lock();
    rcu_synchronize();
    rcu_read_unlock();
}

KTEST_PANIC(rcu_synchronize_inside_section_panics, "rcu_synchronize from a non-sleeping context")
{
    synchronize_inside_section();
}
