/* torture_locks.c — lock torture (in the spirit of Linux's locktorture).
 *
 * For each lock type, worker threads on every CPU acquire and release one
 * lock as fast as they can. Inside, each checks mutual exclusion: nobody
 * else is marked inside (owner field, writer/reader counts), and a plain
 * read-modify-write of a shared counter loses no increment (checked at the
 * end against the acquisitions counted per worker). The rwlock torture
 * mixes readers (which must see no writer) and writers (which must see
 * nobody). Per-worker acquisition counts give the fairness figure.
 *
 * Busted flavours (params->busted): a spinlock and a mutex that do not
 * exclude, an rwlock whose writers only take the read side. The torture
 * must report FAILURE on them; it stops early once it has seen enough.
 */
#include <wisp/torture.h>
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/format.h>
#include <wisp/mm.h>
#include <string.h>
#include <locks/spinlock.h>
#include <locks/mutex.h>
#include <locks/rwlock.h>

enum lt_type { LT_SPIN, LT_SPIN_IRQ, LT_MUTEX, LT_RWLOCK };

#define LT_MAX_WORKERS   (2 * MAX_CPUS)
#define LT_ENOUGH_ERRORS 1000 /* a busted run stops after this many */

struct lt_worker {
    struct lt_state *s;
    struct thread *thread;
    unsigned index;
    uint64_t acquisitions; /* exclusive acquisitions (counter++) */
    uint64_t reads;        /* rwlock read-side acquisitions */
};

struct lt_state {
    enum lt_type type;
    bool busted;
    struct spinlock spin;
    struct mutex mutex;
    struct rwlock rw;
    /* What the lock protects: only touched with it held. */
    volatile uint64_t counter;
    struct lt_worker *volatile owner;
    volatile int readers, writers;
    uint64_t errors; /* atomic */
    volatile bool stop;
    unsigned nworkers;
    struct lt_worker workers[LT_MAX_WORKERS];
};

/* ---- the lock under test, or its busted flavour ---- */

static uint64_t lt_lock(struct lt_state *s, bool write)
{
    switch (s->type) {
    case LT_SPIN:
        if (s->busted)
            preempt_disable(); /* busted: excludes nothing */
        else
            spin_lock(&s->spin);
        return 0;
    case LT_SPIN_IRQ:
        if (s->busted)
            return irq_save();
        return spin_lock_irqsave(&s->spin);
    case LT_MUTEX:
        if (!s->busted)
            mutex_lock(&s->mutex);
        return 0;
    case LT_RWLOCK:
        if (write && !s->busted)
            write_lock(&s->rw);
        else
            read_lock(&s->rw); /* busted writers share with readers */
        return 0;
    }
    return 0;
}

static void lt_unlock(struct lt_state *s, bool write, uint64_t flags)
{
    switch (s->type) {
    case LT_SPIN:
        if (s->busted)
            preempt_enable();
        else
            spin_unlock(&s->spin);
        return;
    case LT_SPIN_IRQ:
        if (s->busted)
            irq_restore(flags);
        else
            spin_unlock_irqrestore(&s->spin, flags);
        return;
    case LT_MUTEX:
        if (!s->busted)
            mutex_unlock(&s->mutex);
        return;
    case LT_RWLOCK:
        if (write && !s->busted)
            write_unlock(&s->rw);
        else
            read_unlock(&s->rw);
        return;
    }
}

/* ---- workers ---- */

static void lt_error(struct lt_state *s)
{
    if (__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED) >= LT_ENOUGH_ERRORS)
        s->stop = true;
}

static void lt_delay(uint64_t *seed, unsigned max)
{
    *seed = *seed * 6364136223846793005ul + 1442695040888963407ul;
    for (unsigned i = (unsigned)(*seed >> 33) % max; i > 0; i--)
        cpu_relax();
}

static void lt_write_section(struct lt_state *s, struct lt_worker *w, uint64_t *seed)
{
    if (s->owner != NULL || s->writers != 0 || s->readers != 0)
        lt_error(s);
    s->owner = w;
    s->writers = 1;
    uint64_t v = s->counter;
    lt_delay(seed, 64);
    if (s->type == LT_MUTEX && (*seed >> 40) % 32 == 0)
        thread_yield(); /* a mutex holder may lose the CPU */
    s->counter = v + 1;
    if (s->owner != w || s->writers != 1)
        lt_error(s);
    s->writers = 0;
    s->owner = NULL;
    w->acquisitions++;
}

static void lt_read_section(struct lt_state *s, struct lt_worker *w, uint64_t *seed)
{
    __atomic_add_fetch(&s->readers, 1, __ATOMIC_ACQ_REL);
    if (s->writers != 0)
        lt_error(s);
    lt_delay(seed, 64);
    if (s->writers != 0)
        lt_error(s);
    __atomic_sub_fetch(&s->readers, 1, __ATOMIC_ACQ_REL);
    w->reads++;
}

static void lt_worker_main(void *arg)
{
    struct lt_worker *w = arg;
    struct lt_state *s = w->s;
    uint64_t seed = 0x9e3779b97f4a7c15ul * (w->index + 1);
    while (!READ_ONCE(s->stop)) {
        /* rwlock: one writer among four workers, the rest read mostly. */
        bool write = s->type != LT_RWLOCK || (w->index % 4 == 0 && (seed >> 37) % 2 == 0);
        uint64_t flags = lt_lock(s, write);
        if (write)
            lt_write_section(s, w, &seed);
        else
            lt_read_section(s, w, &seed);
        lt_unlock(s, write, flags);
        lt_delay(&seed, 32); /* let others in */
    }
}

/* ---- one run ---- */

static void lt_summarize(struct lt_state *s, struct torture_result *r)
{
    uint64_t total = 0, reads = 0, min = ~0ul, max = 0;
    for (unsigned i = 0; i < s->nworkers; i++) {
        struct lt_worker *w = &s->workers[i];
        total += w->acquisitions;
        reads += w->reads;
        uint64_t mine = w->acquisitions + w->reads;
        min = MIN(min, mine);
        max = MAX(max, mine);
    }
    if (s->counter != total) { /* lost (or invented) increments */
        s->errors++;
        ksnprintf(r->detail, sizeof(r->detail), "counter %lu != %lu acquisitions; ", s->counter,
                  total);
    }
    size_t used = strlen(r->detail);
    ksnprintf(r->detail + used, sizeof(r->detail) - used,
              "workers=%u writes=%lu reads=%lu per-worker min=%lu max=%lu", s->nworkers, total,
              reads, min, max);
    r->ops = total + reads;
    r->errors = s->errors;
    r->success = s->errors == 0 && r->ops > 0;
}

static void lock_torture(enum lt_type type, const struct torture_params *p,
                         struct torture_result *r)
{
    struct lt_state *s = kzalloc(sizeof(*s));
    if (!s) {
        ksnprintf(r->detail, sizeof(r->detail), "no memory");
        r->errors = 1;
        return;
    }
    s->type = type;
    s->busted = p->busted;
    spin_init(&s->spin, "torture_spin");
    mutex_init(&s->mutex, "torture_mutex");
    rwlock_init(&s->rw, "torture_rwlock");
    /* Two workers per CPU for the mutex, so that waiters really sleep. */
    s->nworkers = MIN((type == LT_MUTEX ? 2 : 1) * cpu_count, (unsigned)LT_MAX_WORKERS);
    for (unsigned i = 0; i < s->nworkers; i++) {
        struct lt_worker *w = &s->workers[i];
        *w = (struct lt_worker){ .s = s, .index = i };
        w->thread = thread_create("lock_torture", lt_worker_main, w, (int)(i % cpu_count));
        if (!w->thread) {
            s->stop = true;
            s->nworkers = i;
            lt_error(s);
            break;
        }
    }
    uint64_t end = clock_ns() + p->duration_ns;
    while (!READ_ONCE(s->stop) && clock_ns() < end)
        sched_sleep_ns(10 * NSEC_PER_MSEC);
    s->stop = true;
    for (unsigned i = 0; i < s->nworkers; i++)
        thread_join(s->workers[i].thread);
    lt_summarize(s, r);
    kfree(s);
}

TORTURE(lock_spin) { lock_torture(LT_SPIN, p, r); }

TORTURE(lock_spin_irq) { lock_torture(LT_SPIN_IRQ, p, r); }

TORTURE(lock_mutex) { lock_torture(LT_MUTEX, p, r); }

TORTURE(lock_rwlock) { lock_torture(LT_RWLOCK, p, r); }

/* ---- in `make test`: short runs, and the busted flavours must fail ---- */

#define LT_SHORT_MS 1500

static void expect_short_success(struct ktest_ctx *ctx, const char *name)
{
    struct torture_result r = torture_run(name, LT_SHORT_MS, false);
    KEXPECT_TRUE(r.success);
    KEXPECT_EQ(r.errors, 0);
    KEXPECT_GT(r.ops, 0);
}

KTEST(lock_torture_short_succeeds_spin) { expect_short_success(ctx, "lock_spin"); }

KTEST(lock_torture_short_succeeds_spin_irq) { expect_short_success(ctx, "lock_spin_irq"); }

KTEST(lock_torture_short_succeeds_mutex) { expect_short_success(ctx, "lock_mutex"); }

KTEST(lock_torture_short_succeeds_rwlock) { expect_short_success(ctx, "lock_rwlock"); }

KTEST(lock_torture_busted_is_detected)
{
    static const char *const names[] = { "lock_spin", "lock_spin_irq", "lock_mutex",
                                         "lock_rwlock" };
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
        uint64_t start = clock_ns();
        struct torture_result r = torture_run(names[i], 3000, true);
        KEXPECT_FALSE(r.success);
        KEXPECT_GT(r.errors, 0);
        KEXPECT_LT(clock_ns() - start, 5 * NSEC_PER_SEC); /* caught within seconds */
    }
}
