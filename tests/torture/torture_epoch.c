/* torture_epoch.c — the epoch torture (TORTURE(epoch)), after Linux's
 * rcutorture.
 *
 * An epoch table of objects. Readers on every CPU (and one sleepable reader)
 * load a random slot inside a section and check the object is alive, not
 * poisoned. Two writers replace objects: the sync writer waits for a grace
 * period itself, the call writer hands the old object to rcu_call(). A
 * removed object's "pipe count" starts at 1 and goes up by one per grace
 * period that ends after its removal; at PIPE_LEN it is poisoned and freed.
 * A reader reads the pipe count of its object as it leaves the section: 0
 * (still current) and 1 (removed, no grace period ended yet) are fine, 2 or
 * more means a grace period ended while the reader held the object — the
 * epoch is broken. The main thread checks that grace periods keep ending
 * (a stall of STALL_LIMIT is a failure) and that every object and every
 * heap byte is back when the torture ends.
 *
 * Busted flavour: a synchronize that does not wait and an rcu_call that
 * runs its callback at once. It must be caught within seconds.
 */
#include <wisp/torture.h>
#include <rcu/rcu.h>
#include <rcu/epoch_table.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/mm.h>
#include <wisp/format.h>
#include <wisp/printk.h>

#define SLOTS          16
#define PIPE_LEN       10
#define STALL_LIMIT_NS (10 * NSEC_PER_SEC) /* TCG hosts deschedule vCPUs for long */
#define MAX_LIVE       2048                /* the call writer pauses above this */
#define OBJ_ALIVE      0x414c495645ull
#define OBJ_POISON     0xdeadbeefdeadull

struct torture_obj {
    uint64_t magic;
    uint32_t pipe_count;
    struct rcu_head head;
    struct torture_obj *next_removed; /* the sync writer's removed list */
};

/* Grace-period primitives under test. */
struct epoch_ops {
    void (*synchronize)(void);
    void (*call)(struct rcu_head *head, rcu_callback_fn fn);
};

struct epoch_torture {
    const struct epoch_ops *ops;
    struct epoch_table *table;
    volatile bool stop;
    uint64_t errors;
    uint64_t reads;
    uint64_t updates;
    uint64_t writer_gps; /* grace periods the sync writer saw end */
    uint64_t allocated, freed;
    uint64_t pipe_histogram[PIPE_LEN + 2];
    uint64_t start_ns, first_error_ns;
    char first_error[64];
};

/* One torture at a time; static because callbacks may outlive a stack. */
static struct epoch_torture torture;

/* ---- the busted flavour ---------------------------------------------------- */

static void busted_synchronize(void) {}

static void busted_call(struct rcu_head *head, rcu_callback_fn fn) { fn(head); }

static const struct epoch_ops real_ops = { rcu_synchronize, rcu_call };
static const struct epoch_ops busted_ops = { busted_synchronize, busted_call };

/* ---- objects ------------------------------------------------------------------ */

/* Counts an error; the first one is kept for the summary line. */
static void report_error(const char *what, uint64_t value)
{
    if (ck_pr_faa_64(&torture.errors, 1) == 0) {
        torture.first_error_ns = clock_ns();
        ksnprintf(torture.first_error, sizeof(torture.first_error),
                  value > 0xffff ? "%s 0x%lx" : "%s %lu", what, value);
    }
}

static struct torture_obj *obj_new(void)
{
    struct torture_obj *o = kmalloc(sizeof(*o));
    if (!o)
        return NULL;
    o->magic = OBJ_ALIVE;
    o->pipe_count = 0;
    o->next_removed = NULL;
    ck_pr_inc_64(&torture.allocated);
    return o;
}

static void obj_free(struct torture_obj *o)
{
    WRITE_ONCE(o->magic, OBJ_POISON);
    WRITE_ONCE(o->pipe_count, 0xbad);
    kfree(o);
    ck_pr_inc_64(&torture.freed);
}

/* Runs once per grace period after the object's removal (rcu_call chain). */
static void pipe_callback(struct rcu_head *head)
{
    struct torture_obj *o = container_of(head, struct torture_obj, head);
    uint32_t pipe = o->pipe_count + 1;
    WRITE_ONCE(o->pipe_count, pipe);
    if (pipe >= PIPE_LEN)
        obj_free(o);
    else
        torture.ops->call(head, pipe_callback);
}

/* ---- readers ------------------------------------------------------------------ */

struct reader {
    struct rcu_reader *sleepable; /* NULL: per-CPU non-sleeping sections */
    uint32_t seed;
    uint64_t reads;
    uint64_t histogram[PIPE_LEN + 2];
};

static uint32_t next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* One read: load, check, dawdle sometimes, read the pipe count, leave. */
static void read_once(struct reader *r)
{
    uint32_t rnd = next_random(&r->seed);
    if (r->sleepable)
        rcu_read_lock_sleepable(r->sleepable);
    else
        rcu_read_lock();
    struct torture_obj *o = epoch_slot_load(torture.table, rnd % SLOTS);
    uint64_t magic = READ_ONCE(o->magic);
    if ((rnd >> 8) % 8 == 0) {
        for (unsigned i = 0; i < 100 + (rnd >> 16) % 400; i++)
            cpu_relax();
    }
    if (r->sleepable && (rnd >> 12) % 64 == 0)
        thread_yield(); /* preempted inside: allowed here */
    uint32_t pipe = READ_ONCE(o->pipe_count);
    uint64_t magic_after = READ_ONCE(o->magic);
    if (r->sleepable)
        rcu_read_unlock_sleepable(r->sleepable);
    else
        rcu_read_unlock();
    r->histogram[pipe <= PIPE_LEN ? pipe : PIPE_LEN + 1]++;
    r->reads++;
    if (magic != OBJ_ALIVE || magic_after != OBJ_ALIVE)
        report_error("reader saw a freed object, magic", magic != OBJ_ALIVE ? magic : magic_after);
    else if (pipe > 1)
        report_error("reader held an object across grace periods, pipe", pipe);
}

static void reader_thread(void *arg)
{
    struct reader *r = arg;
    while (!READ_ONCE(torture.stop)) {
        read_once(r);
        if (r->sleepable && r->reads % 1024 == 0)
            sched_sleep_ns(NSEC_PER_MSEC);
    }
}

/* ---- writers ------------------------------------------------------------------ */

static void sync_writer_thread(void *arg __unused)
{
    struct torture_obj *removed = NULL;
    uint32_t seed = 0x9e3779b9;
    while (!READ_ONCE(torture.stop)) {
        struct torture_obj *o = obj_new();
        if (!o) {
            report_error("sync writer: out of memory, live objects",
                         torture.allocated - torture.freed);
            break;
        }
        struct torture_obj *old = epoch_slot_publish(torture.table, next_random(&seed) % SLOTS, o);
        WRITE_ONCE(old->pipe_count, 1);
        old->next_removed = removed;
        removed = old;
        torture.ops->synchronize();
        ck_pr_inc_64(&torture.writer_gps);
        ck_pr_inc_64(&torture.updates);
        struct torture_obj **link = &removed;
        while (*link) {
            struct torture_obj *r = *link;
            WRITE_ONCE(r->pipe_count, r->pipe_count + 1);
            if (r->pipe_count >= PIPE_LEN) {
                *link = r->next_removed;
                obj_free(r);
            } else {
                link = &r->next_removed;
            }
        }
    }
    /* What is still on the list was removed at least one real grace period
     * ago only if the flavour is real; wait for one to be sure. */
    rcu_synchronize();
    while (removed) {
        struct torture_obj *next = removed->next_removed;
        obj_free(removed);
        removed = next;
    }
}

static void call_writer_thread(void *arg __unused)
{
    uint32_t seed = 0x7f4a7c15;
    while (!READ_ONCE(torture.stop)) {
        if (ck_pr_load_64(&torture.allocated) - ck_pr_load_64(&torture.freed) > MAX_LIVE) {
            sched_sleep_ns(NSEC_PER_MSEC);
            continue;
        }
        struct torture_obj *o = obj_new();
        if (!o) {
            report_error("call writer: out of memory, live objects",
                         torture.allocated - torture.freed);
            break;
        }
        struct torture_obj *old = epoch_slot_publish(torture.table, next_random(&seed) % SLOTS, o);
        WRITE_ONCE(old->pipe_count, 1);
        torture.ops->call(&old->head, pipe_callback);
        ck_pr_inc_64(&torture.updates);
        if (torture.updates % 16 == 0)
            thread_yield();
    }
}

/* ---- the run -------------------------------------------------------------------- */

#define MAX_READERS (MAX_CPUS + 1)

struct run_threads {
    struct reader readers[MAX_READERS];
    struct thread *reader_threads[MAX_READERS];
    unsigned reader_count;
    struct thread *sync_writer, *call_writer;
};

static bool start_threads(struct run_threads *rt, struct rcu_reader *sleepable)
{
    unsigned n = cpu_count;
    for (unsigned i = 0; i <= n; i++) {
        struct reader *r = &rt->readers[i];
        r->seed = 0x2545f491u * (i + 1);
        r->sleepable = i == n ? sleepable : NULL;
        rt->reader_threads[i] = thread_create(i == n ? "epoch_sleepy_reader" : "epoch_reader",
                                              reader_thread, r, (int)(i == n ? n - 1 : i));
        if (!rt->reader_threads[i])
            return false;
        rt->reader_count++;
    }
    rt->sync_writer = thread_create("epoch_sync_writer", sync_writer_thread, NULL, 0);
    rt->call_writer = thread_create("epoch_call_writer", call_writer_thread, NULL, n > 1 ? 1 : 0);
    return rt->sync_writer && rt->call_writer;
}

static void stop_threads(struct run_threads *rt)
{
    WRITE_ONCE(torture.stop, true);
    for (unsigned i = 0; i < rt->reader_count; i++) {
        thread_join(rt->reader_threads[i]);
        torture.reads += rt->readers[i].reads;
        for (unsigned b = 0; b < PIPE_LEN + 2; b++)
            torture.pipe_histogram[b] += rt->readers[i].histogram[b];
    }
    if (rt->sync_writer)
        thread_join(rt->sync_writer);
    if (rt->call_writer)
        thread_join(rt->call_writer);
}

/* Watches the grace periods the sync writer completes until the duration
 * is over or an error is seen; returns the longest gap between two. */
static uint64_t watch_progress(uint64_t duration_ns)
{
    uint64_t last_gps = ck_pr_load_64(&torture.writer_gps);
    uint64_t last_change = clock_ns(), max_gap = 0;
    for (;;) {
        sched_sleep_ns(10 * NSEC_PER_MSEC);
        uint64_t now = clock_ns(), gps = ck_pr_load_64(&torture.writer_gps);
        if (gps != last_gps) {
            last_gps = gps;
            last_change = now;
        }
        max_gap = MAX(max_gap, now - last_change);
        if (now - last_change > STALL_LIMIT_NS) {
            report_error("grace-period stall, ms", (now - last_change) / NSEC_PER_MSEC);
            break;
        }
        if (ck_pr_load_64(&torture.errors) || now - torture.start_ns >= duration_ns)
            break;
    }
    return max_gap;
}

/* Empties the table and waits until every removed object has been freed. */
static void drain(void)
{
    for (size_t i = 0; i < SLOTS; i++) {
        struct torture_obj *o = epoch_slot_publish(torture.table, i, NULL);
        if (!o)
            continue;
        WRITE_ONCE(o->pipe_count, 1);
        torture.ops->call(&o->head, pipe_callback);
    }
    for (int i = 0; i < 4 * PIPE_LEN && torture.allocated != torture.freed; i++)
        rcu_barrier();
}

static bool fill_table(void)
{
    for (size_t i = 0; i < SLOTS; i++) {
        struct torture_obj *o = obj_new();
        if (!o)
            return false;
        epoch_slot_publish(torture.table, i, o);
    }
    return true;
}

static void format_detail(struct torture_result *r, uint64_t max_gap_ns, int64_t heap_delta)
{
    uint64_t *h = torture.pipe_histogram, over = 0;
    for (unsigned b = 2; b < PIPE_LEN + 2; b++)
        over += h[b];
    size_t n = ksnprintf(r->detail, sizeof(r->detail),
                         "pipe 0:%lu 1:%lu >1:%lu; max gp gap %lums; live %ld; heap %+ld B", h[0],
                         h[1], over, max_gap_ns / NSEC_PER_MSEC,
                         (long)(torture.allocated - torture.freed), (long)heap_delta);
    if (torture.errors && n < sizeof(r->detail))
        ksnprintf(r->detail + n, sizeof(r->detail) - n, "; first error after %lums: %s",
                  (torture.first_error_ns - torture.start_ns) / NSEC_PER_MSEC, torture.first_error);
}

TORTURE(epoch)
{
    torture = (struct epoch_torture){ .ops = p->busted ? &busted_ops : &real_ops };
    struct run_threads rt = { 0 };
    struct rcu_reader *sleepable = rcu_reader_get();
    torture.table = epoch_table_create(SLOTS);
    rcu_barrier();
    int64_t heap_before = (int64_t)kmem_bytes_in_use();
    uint64_t gp_before = rcu_gp_count();
    uint64_t max_gap = 0;
    if (!sleepable || !torture.table || !fill_table()) {
        report_error("setup: out of memory", 0);
    } else {
        torture.start_ns = clock_ns();
        if (start_threads(&rt, sleepable))
            max_gap = watch_progress(p->duration_ns);
        else
            report_error("setup: cannot create threads", rt.reader_count);
    }
    stop_threads(&rt);
    torture.ops = &real_ops; /* clean up with the real thing */
    if (torture.table)
        drain();
    int64_t heap_delta = (int64_t)kmem_bytes_in_use() - heap_before;
    if (torture.allocated != torture.freed)
        report_error("objects not freed", torture.allocated - torture.freed);
    else if (heap_delta != 0)
        report_error("heap bytes not returned", (uint64_t)heap_delta);
    r->ops = torture.reads + torture.updates;
    r->grace_periods = p->busted ? torture.writer_gps : rcu_gp_count() - gp_before;
    r->errors = torture.errors;
    r->success = torture.errors == 0;
    format_detail(r, max_gap, heap_delta);
    epoch_table_destroy(torture.table);
    if (sleepable)
        rcu_reader_put(sleepable);
}
