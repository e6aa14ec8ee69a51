/* lockdep.c — the lock validator's rules: classes, held-lock stacks, the
 * class-order graph, interrupt-safety and sleep checks.
 *
 * Fast path (every acquire): resolve the lock's class (cached in the lock),
 * test one bit of the order graph per lock held, test the class's usage
 * bits, push on the thread's held stack — no lock taken, no allocation.
 * Slow path (a new edge, a new usage, a report): the validator lock.
 * Graph bits and usage bits are only ever set, never cleared, so a lockless
 * reader that sees a bit set may trust it; a reader that sees it clear
 * takes the validator lock and looks again.
 */
#include <wisp/hash.h>
#include "lockdep_internal.h"
#include <wisp/sched.h>
#include <wisp/mm.h>
#include <wisp/cpu.h>
#include <wisp/format.h>
#include <wisp/printk.h>
#include <string.h>

#if WISP_LOCKDEP_ENABLED

#define IF_FLAG (1ul << 9)

/* ---- classes ---------------------------------------------------------- */

enum { USED_IN_IRQ = 1, USED_IRQS_ENABLED = 2 };

struct lock_class {
    const char *name;
    uint8_t usage; /* USED_* bits */
    struct usage_site {
        uint64_t site;
        uint32_t thread;
        uint32_t cpu;
    } in_irq, irqs_enabled;
};

/* Protected by the validator lock; class_count only grows. */
static struct lock_class classes[LOCKDEP_MAX_CLASSES];
static unsigned class_count = 1; /* id 0 means "no class" */
static uint16_t class_hash[2 * LOCKDEP_MAX_CLASSES];
static bool class_table_full_warned;

static uint32_t name_hash(const char *s) { return (uint32_t)hash_string(s, 0); }

/* Caller holds the validator lock. */
static uint16_t class_intern(const char *name)
{
    if (!name)
        name = "(unnamed)";
    uint32_t h = name_hash(name);
    for (unsigned i = 0; i < ARRAY_SIZE(class_hash); i++) {
        uint16_t *slot = &class_hash[(h + i) % ARRAY_SIZE(class_hash)];
        if (*slot && strcmp(classes[*slot].name, name) == 0)
            return *slot;
        if (*slot)
            continue;
        if (class_count >= LOCKDEP_MAX_CLASSES) {
            if (!class_table_full_warned)
                lockdep_line("class table full: \"%s\" and later classes not validated", name);
            class_table_full_warned = true;
            return 0;
        }
        uint16_t id = (uint16_t)class_count;
        classes[id].name = name;
        WRITE_ONCE(class_count, class_count + 1);
        barrier();
        WRITE_ONCE(*slot, id);
        return id;
    }
    return 0;
}

/* Lockless lookup: a slot is written after its class's name (x86 keeps
 * stores in order; the barrier keeps the compiler from reordering them). */
uint16_t lockdep_class_find(const char *name)
{
    uint32_t h = name_hash(name);
    for (unsigned i = 0; i < ARRAY_SIZE(class_hash); i++) {
        uint16_t id = READ_ONCE(class_hash[(h + i) % ARRAY_SIZE(class_hash)]);
        if (!id)
            return 0;
        if (strcmp(classes[id].name, name) == 0)
            return id;
    }
    return 0;
}

uint16_t lockdep_class_id(const char *name)
{
    uint64_t flags = irq_save();
    lockdep_lock();
    uint16_t id = class_intern(name);
    lockdep_unlock();
    irq_restore(flags);
    return id;
}

const char *lockdep_class_name(uint16_t id)
{
    return id && id < READ_ONCE(class_count) ? classes[id].name : "(no class)";
}

static uint16_t class_of(struct lock_dep *dep)
{
    uint16_t id = READ_ONCE(dep->class_id);
    if (likely(id))
        return id;
    lockdep_lock();
    id = class_intern(dep->name);
    WRITE_ONCE(dep->class_id, id);
    lockdep_unlock();
    return id;
}

void lockdep_set_untracked(struct lock_dep *dep) { dep->untracked = true; }

/* ---- per-thread state ------------------------------------------------- */

void lockdep_thread_init(struct thread *t)
{
    t->lock_state = kzalloc(sizeof(struct lock_thread_state));
}

void lockdep_thread_free(struct thread *t)
{
    kfree(t->lock_state);
    t->lock_state = NULL;
}

struct lock_thread_state *lockdep_current_state(void)
{
    struct thread *t = this_cpu()->current;
    return t ? t->lock_state : NULL;
}

unsigned lockdep_held_count(void)
{
    uint64_t flags = irq_save();
    struct lock_thread_state *ts = lockdep_current_state();
    unsigned n = ts ? ts->depth : 0;
    irq_restore(flags);
    return n;
}

void lockdep_assert_held_by_me(const struct lock_dep *dep, uint64_t site)
{
    struct thread *self = this_cpu()->current;
    if (READ_ONCE(dep->owner) != self)
        panic("lock %s not held by thread %s, as its caller (%p) requires", dep->name,
              self ? self->name : "?", (void *)site);
}

/* A validator check must not recurse into itself (a report that takes a
 * lock, a lock taken by the console): one flag per CPU, interrupts off. */
static bool busy[MAX_CPUS];

static bool enter_validator(void)
{
    bool *b = &busy[cpu_id()];
    if (*b)
        return false;
    *b = true;
    return true;
}

static void leave_validator(void) { busy[cpu_id()] = false; }

/* ---- the class-order graph ------------------------------------------- */

#define MAX_EDGES 2048

/* edge_bits[a][b / 64] bit b: class a was held while class b was taken. */
static uint64_t edge_bits[LOCKDEP_MAX_CLASSES][LOCKDEP_CLASS_WORDS];

/* Where each edge was first seen, for reports. */
struct edge_origin {
    uint16_t from, to;
    uint32_t thread;
    uint32_t cpu;
    uint64_t from_site, to_site;
    char thread_name[THREAD_NAME_MAX];
};
static struct edge_origin edges[MAX_EDGES];
static unsigned edge_count;

static bool edge_exists(uint16_t a, uint16_t b)
{
    return READ_ONCE(edge_bits[a][b / 64]) & (1ul << (b % 64));
}

static const struct edge_origin *edge_find(uint16_t a, uint16_t b)
{
    for (unsigned i = 0; i < edge_count; i++)
        if (edges[i].from == a && edges[i].to == b)
            return &edges[i];
    return NULL;
}

/* Breadth-first search from -> to; fills path (class ids, from first) and
 * returns its length, or 0 when to is unreachable. Validator lock held. */
static uint16_t bfs_parent[LOCKDEP_MAX_CLASSES];
static uint16_t bfs_queue[LOCKDEP_MAX_CLASSES];

static unsigned find_path(uint16_t from, uint16_t to, uint16_t *path, unsigned max)
{
    uint64_t seen[LOCKDEP_CLASS_WORDS] = { 0 };
    unsigned head = 0, tail = 0;
    bfs_queue[tail++] = from;
    seen[from / 64] |= 1ul << (from % 64);
    while (head < tail) {
        uint16_t c = bfs_queue[head++];
        if (c == to) {
            unsigned n = 0;
            for (uint16_t x = to; n < max; x = bfs_parent[x]) {
                path[n++] = x;
                if (x == from)
                    break;
            }
            for (unsigned i = 0; i < n / 2; i++) {
                uint16_t tmp = path[i];
                path[i] = path[n - 1 - i];
                path[n - 1 - i] = tmp;
            }
            return n;
        }
        for (unsigned w = 0; w < LOCKDEP_CLASS_WORDS; w++) {
            uint64_t next = edge_bits[c][w] & ~seen[w];
            while (next) {
                unsigned bit = (unsigned)__builtin_ctzl(next);
                next &= next - 1;
                uint16_t n = (uint16_t)(w * 64 + bit);
                seen[w] |= 1ul << bit;
                bfs_parent[n] = c;
                bfs_queue[tail++] = n;
            }
        }
    }
    return 0;
}

static void print_edge(uint16_t a, uint16_t b)
{
    const struct edge_origin *e = edge_find(a, b);
    if (!e) {
        lockdep_line("\"%s\" -> \"%s\" (origin not recorded)", lockdep_class_name(a),
                     lockdep_class_name(b));
        return;
    }
    char s1[96], s2[96];
    lockdep_format_site(e->from_site, s1, sizeof(s1));
    lockdep_format_site(e->to_site, s2, sizeof(s2));
    lockdep_line("\"%s\" -> \"%s\" first by thread %u \"%s\" on cpu%u:", lockdep_class_name(a),
                 lockdep_class_name(b), e->thread, e->thread_name, e->cpu);
    lockdep_line("    \"%s\" taken at %s", lockdep_class_name(a), s1);
    lockdep_line("    then \"%s\" taken at %s", lockdep_class_name(b), s2);
}

static void report_inversion(const struct held_lock *h, uint16_t cls, uint64_t site,
                             const uint16_t *path, unsigned n, struct lock_thread_state *ts)
{
    struct thread *t = current_thread();
    struct lockdep_problem_key key = { LOCKDEP_ORDER_INVERSION, h->class_id, cls, 0 };
    struct lockdep_report_info info = { .class_a = lockdep_class_name(cls),
                                        .class_b = lockdep_class_name(h->class_id),
                                        .thread_a = t ? t->id : 0 };
    if (n >= 2) {
        const struct edge_origin *e = edge_find(path[0], path[1]);
        info.thread_b = e ? e->thread : 0;
    }
    if (!lockdep_report_begin(&key, "possible deadlock: lock order inversion", &info))
        return;
    char s1[96], s2[96];
    lockdep_format_site(h->site, s1, sizeof(s1));
    lockdep_format_site(site, s2, sizeof(s2));
    lockdep_print_self("new order");
    lockdep_line("    \"%s\" taken at %s", lockdep_class_name(h->class_id), s1);
    lockdep_line("    then \"%s\" taken at %s", lockdep_class_name(cls), s2);
    lockdep_line("established order (%u step%s):", n - 1, n == 2 ? "" : "s");
    for (unsigned i = 0; i + 1 < n; i++)
        print_edge(path[i], path[i + 1]);
    lockdep_print_held(ts);
    lockdep_report_end();
}

/* Holding h, the thread takes class cls: record h->cls, reporting a cycle
 * the first time. Interrupts off. */
static void add_edge(const struct held_lock *h, uint16_t cls, uint64_t site,
                     struct lock_thread_state *ts)
{
    uint16_t path[16];
    lockdep_lock();
    if (edge_exists(h->class_id, cls)) {
        lockdep_unlock();
        return;
    }
    unsigned n = find_path(cls, h->class_id, path, ARRAY_SIZE(path));
    if (n)
        report_inversion(h, cls, site, path, n, ts);
    if (edge_count < MAX_EDGES) {
        struct thread *t = current_thread();
        struct edge_origin *e = &edges[edge_count++];
        *e =
            (struct edge_origin){ h->class_id, cls, t ? t->id : 0, cpu_id(), h->site, site, { 0 } };
        if (t)
            strlcpy(e->thread_name, thread_name(t), sizeof(e->thread_name));
    }
    __atomic_fetch_or(&edge_bits[h->class_id][cls / 64], 1ul << (cls % 64), __ATOMIC_RELEASE);
    lockdep_unlock();
}

static void check_order(struct lock_thread_state *ts, uint16_t cls, uint64_t site,
                        unsigned irq_depth)
{
    for (unsigned i = ts->depth; i-- > 0;) {
        const struct held_lock *h = &ts->held[i];
        if (h->irq_depth != irq_depth)
            break; /* an interrupted context: not this chain */
        if (h->kind == LOCK_KIND_CRIT || !h->class_id || h->class_id == cls)
            continue;
        if (unlikely(!edge_exists(h->class_id, cls)))
            add_edge(h, cls, site, ts);
    }
}

/* ---- interrupt safety ------------------------------------------------- */

static void report_irq_safety(uint16_t cls)
{
    struct lock_class *c = &classes[cls];
    struct lockdep_problem_key key = { LOCKDEP_IRQ_SAFETY, cls, 0, 0 };
    struct lockdep_report_info info = { .class_a = c->name,
                                        .thread_a = c->irqs_enabled.thread,
                                        .thread_b = c->in_irq.thread };
    if (!lockdep_report_begin(&key, "possible deadlock: interrupt-safety inversion", &info))
        return;
    char s1[96], s2[96];
    lockdep_format_site(c->in_irq.site, s1, sizeof(s1));
    lockdep_format_site(c->irqs_enabled.site, s2, sizeof(s2));
    lockdep_line("class \"%s\" is taken in interrupt context:", c->name);
    lockdep_line("    at %s (cpu%u, interrupting thread %u)", s1, c->in_irq.cpu, c->in_irq.thread);
    lockdep_line("and with interrupts enabled (an interrupt taking it there deadlocks):");
    lockdep_line("    at %s (cpu%u, thread %u)", s2, c->irqs_enabled.cpu, c->irqs_enabled.thread);
    lockdep_line("fix: take \"%s\" with spin_lock_irqsave() outside interrupts", c->name);
    lockdep_report_end();
}

static void check_usage(uint16_t cls, bool in_irq, bool irqs_on, uint64_t site)
{
    uint8_t want = in_irq ? USED_IN_IRQ : irqs_on ? USED_IRQS_ENABLED : 0;
    if (!want || (READ_ONCE(classes[cls].usage) & want))
        return;
    lockdep_lock();
    struct lock_class *c = &classes[cls];
    struct thread *t = current_thread();
    struct usage_site u = { site, t ? t->id : 0, cpu_id() };
    if (!(c->usage & want)) {
        if (want == USED_IN_IRQ)
            c->in_irq = u;
        else
            c->irqs_enabled = u;
        WRITE_ONCE(c->usage, c->usage | want);
        if (c->usage == (USED_IN_IRQ | USED_IRQS_ENABLED))
            report_irq_safety(cls);
    }
    lockdep_unlock();
}

/* ---- acquire and release ---------------------------------------------- */

static bool exclusive(enum lock_kind kind)
{
    return kind == LOCK_KIND_SPIN || kind == LOCK_KIND_MUTEX || kind == LOCK_KIND_WRITE;
}

static void report_recursion(const struct held_lock *h, uint64_t site, struct lock_thread_state *ts)
{
    struct thread *t = current_thread();
    struct lockdep_problem_key key = { LOCKDEP_RECURSIVE_ACQUIRE, h->class_id, 0, 0 };
    struct lockdep_report_info info = { .class_a = lockdep_class_name(h->class_id),
                                        .thread_a = t ? t->id : 0 };
    if (!lockdep_report_begin(&key, "possible deadlock: recursive acquire", &info))
        return;
    char s1[96], s2[96];
    lockdep_format_site(h->site, s1, sizeof(s1));
    lockdep_format_site(site, s2, sizeof(s2));
    lockdep_print_self("thread");
    lockdep_line("takes \"%s\" (lock %p) again at %s", lockdep_class_name(h->class_id),
                 (void *)h->dep, s2);
    lockdep_line("it already holds it since %s", s1);
    lockdep_print_held(ts);
    lockdep_report_end();
}

static void report_overflow(struct lock_thread_state *ts, uint16_t cls, uint64_t site)
{
    struct thread *t = current_thread();
    struct lockdep_problem_key key = { LOCKDEP_HELD_STACK_OVERFLOW, cls, 0, 0 };
    struct lockdep_report_info info = { .class_a = lockdep_class_name(cls),
                                        .thread_a = t ? t->id : 0 };
    if (!lockdep_report_begin(&key, "too many locks held", &info))
        return;
    char s[96];
    lockdep_format_site(site, s, sizeof(s));
    lockdep_print_self("thread");
    lockdep_line("takes \"%s\" at %s with %u locks held already (limit %u)",
                 lockdep_class_name(cls), s, ts->depth, LOCKDEP_MAX_HELD);
    lockdep_report_end();
}

static void push_held(struct lock_thread_state *ts, struct lock_dep *dep, enum lock_kind kind,
                      uint16_t cls, uint64_t site, unsigned irq_depth)
{
    if (unlikely(ts->depth == LOCKDEP_MAX_HELD)) {
        ts->overflow++;
        report_overflow(ts, cls, site);
        return;
    }
    ts->held[ts->depth++] = (struct held_lock){ dep, site, cls, (uint8_t)kind, (uint8_t)irq_depth };
    if (cls && irq_depth == ts->scope_irq_depth)
        ts->taken[cls / 64] |= 1ul << (cls % 64);
}

static void acquire(struct lock_dep *dep, enum lock_kind kind, uint64_t site, bool trylock)
{
    uint64_t flags = irq_save();
    if (!enter_validator()) {
        irq_restore(flags);
        return;
    }
    struct cpu *c = this_cpu();
    struct lock_thread_state *ts = lockdep_current_state();
    uint16_t cls = class_of(dep);
    unsigned irq_depth = (unsigned)c->irq_depth;
    if (ts && kind != LOCK_KIND_CRIT) {
        if (!trylock) {
            for (unsigned i = 0; i < ts->depth; i++)
                if (ts->held[i].dep == dep)
                    report_recursion(&ts->held[i], site, ts);
            if (cls)
                check_order(ts, cls, site, irq_depth);
        }
    }
    if (cls && kind != LOCK_KIND_CRIT)
        check_usage(cls, irq_depth > 0, flags & IF_FLAG, site);
    if (ts)
        push_held(ts, dep, kind, cls, site, irq_depth);
    leave_validator();
    irq_restore(flags);
}

void lockdep_acquire(struct lock_dep *dep, enum lock_kind kind, uint64_t site)
{
    if (dep->untracked)
        return;
    acquire(dep, kind, site ? site : (uint64_t)__builtin_return_address(0), false);
}

void lockdep_acquired_try(struct lock_dep *dep, enum lock_kind kind, uint64_t site)
{
    if (dep->untracked)
        return;
    acquire(dep, kind, site ? site : (uint64_t)__builtin_return_address(0), true);
}

static void report_bad_release(struct lock_dep *dep, enum lockdep_problem problem,
                               struct thread *owner, uint64_t site, struct lock_thread_state *ts)
{
    struct thread *t = current_thread();
    uint16_t cls = class_of(dep);
    struct lockdep_problem_key key = { problem, cls, 0, site };
    struct lockdep_report_info info = { .class_a = lockdep_class_name(cls),
                                        .thread_a = t ? t->id : 0,
                                        .thread_b = owner ? owner->id : 0 };
    const char *title = problem == LOCKDEP_UNLOCK_NON_OWNER
                            ? "unlock by a thread that is not the owner"
                            : "release of a lock not held";
    if (!lockdep_report_begin(&key, title, &info))
        return;
    char s[96];
    lockdep_format_site(site, s, sizeof(s));
    lockdep_print_self("releasing thread");
    lockdep_line("releases \"%s\" (lock %p) at %s", lockdep_class_name(cls), (void *)dep, s);
    if (owner)
        lockdep_line("the lock is held by thread %u \"%s\" (cpu%d)", owner->id, thread_name(owner),
                     owner->cpu);
    else
        lockdep_line("nobody holds it");
    lockdep_line("the release is refused: the lock is left as it was");
    lockdep_print_held(ts);
    lockdep_report_end();
}

/* Finds the newest held entry for dep (any CRIT entry for a CRIT release). */
static int find_held(struct lock_thread_state *ts, struct lock_dep *dep, enum lock_kind kind)
{
    for (unsigned i = ts->depth; i-- > 0;) {
        if (ts->held[i].dep == dep)
            return (int)i;
        if (kind == LOCK_KIND_CRIT && ts->held[i].kind == LOCK_KIND_CRIT)
            return (int)i;
    }
    return -1;
}

bool lockdep_release(struct lock_dep *dep, enum lock_kind kind, uint64_t site)
{
    if (dep->untracked)
        return true;
    if (!site)
        site = (uint64_t)__builtin_return_address(0);
    uint64_t flags = irq_save();
    if (!enter_validator()) {
        irq_restore(flags);
        return true;
    }
    bool allowed = true;
    struct thread *self = this_cpu()->current;
    struct lock_thread_state *ts = lockdep_current_state();
    struct thread *owner = READ_ONCE(dep->owner);
    int i = ts ? find_held(ts, dep, kind) : -1;
    if (i >= 0) {
        ts->depth--;
        for (unsigned j = (unsigned)i; j < ts->depth; j++)
            ts->held[j] = ts->held[j + 1];
    } else if (ts && ts->overflow) {
        ts->overflow--;
    } else if (ts && !(exclusive(kind) && owner == self)) {
        bool other = exclusive(kind) && owner;
        report_bad_release(dep, other ? LOCKDEP_UNLOCK_NON_OWNER : LOCKDEP_RELEASE_NOT_HELD,
                           other ? owner : NULL, site, ts);
        allowed = false;
    }
    if (allowed && exclusive(kind))
        WRITE_ONCE(dep->owner, NULL);
    leave_validator();
    irq_restore(flags);
    return allowed;
}

/* ---- sleeping --------------------------------------------------------- */

/* The newest spinning lock (or section) taken at this interrupt depth: an
 * interrupt handler does not answer for what the thread it interrupted holds. */
static const struct held_lock *newest_spinning(const struct lock_thread_state *ts,
                                               unsigned irq_depth)
{
    for (unsigned i = ts ? ts->depth : 0; i-- > 0;) {
        if (ts->held[i].irq_depth != irq_depth)
            break;
        if (ts->held[i].kind != LOCK_KIND_MUTEX)
            return &ts->held[i];
    }
    return NULL;
}

/* Reports a sleep (or a may-sleep call, who != NULL) where sleeping is
 * forbidden; returns true when it was forbidden. Interrupts may be on. */
bool lockdep_check_sleep(uint64_t site, const char *who)
{
    uint64_t flags = irq_save();
    if (!enter_validator()) {
        irq_restore(flags);
        return false;
    }
    struct cpu *c = this_cpu();
    struct lock_thread_state *ts = lockdep_current_state();
    const struct held_lock *h = newest_spinning(ts, (unsigned)c->irq_depth);
    const char *why = NULL;
    enum lockdep_problem problem = LOCKDEP_SLEEP_IN_ATOMIC;
    if (c->irq_depth > 0)
        why = "in interrupt context";
    else if (h && h->kind == LOCK_KIND_CRIT)
        why = "inside a critical section (crit_enter)";
    else if (h)
        why = "while holding a spinning lock";
    else if (c->preempt_count > 0)
        why = "with preemption disabled";
    else if (!(flags & IF_FLAG))
        why = "with interrupts disabled";
    else if (ts && ts->nosleep_depth) {
        why = "inside a must-not-sleep region";
        problem = LOCKDEP_CONTRACT_NOSLEEP;
    }
    if (why) {
        struct thread *t = current_thread();
        uint16_t cls = h ? h->class_id : 0;
        struct lockdep_problem_key key = { problem, cls, 0, site };
        struct lockdep_report_info info = { .class_a = h ? lockdep_class_name(cls) : NULL,
                                            .who = who  ? who
                                                   : ts ? ts->nosleep_who
                                                        : NULL,
                                            .thread_a = t ? t->id : 0 };
        char title[96], s[96];
        ksnprintf(title, sizeof(title), "%s %s", who ? "may-sleep call" : "sleeping", why);
        if (lockdep_report_begin(&key, title, &info)) {
            lockdep_format_site(site, s, sizeof(s));
            lockdep_print_self("thread");
            if (who)
                lockdep_line("contract: \"%s\" may sleep; called from %s", who, s);
            else
                lockdep_line("sleeps: called from %s", s);
            if (problem == LOCKDEP_CONTRACT_NOSLEEP) {
                lockdep_format_site(ts->nosleep_site, s, sizeof(s));
                lockdep_line("contract: \"%s\" must not sleep; region entered at %s",
                             ts->nosleep_who, s);
            }
            lockdep_print_held(ts);
            lockdep_report_end();
        }
    }
    leave_validator();
    irq_restore(flags);
    return why != NULL;
}

void lockdep_might_sleep(uint64_t site) { lockdep_check_sleep(site, NULL); }

#endif
