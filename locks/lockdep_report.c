/* lockdep_report.c — the validator's reports: one block per distinct
 * problem, deduplicated, counted, optionally fatal.
 *
 * A report is printed under the validator lock so that blocks from two CPUs
 * never interleave; the console's own lock is a raw ck lock, so printing
 * never re-enters the validator.
 */
#include "lockdep_internal.h"
#include <wisp/sched.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include <wisp/ksyms.h>
#include <wisp/boot.h>
#include <wisp/cpu.h>
#include <ck_spinlock.h>
#include <stdarg.h>

#if WISP_LOCKDEP_ENABLED

/* The validator lock: protects classes, the order graph, the dedupe table,
 * the counters and the console block of a report. Taken with interrupts
 * off; re-entrant on one CPU (a check may report while it holds it). */
static ck_spinlock_fas_t validator_lock = CK_SPINLOCK_FAS_INITIALIZER;
static int validator_owner = -1;
static unsigned validator_nesting;

void lockdep_lock(void)
{
    int me = (int)cpu_id();
    if (READ_ONCE(validator_owner) == me) {
        validator_nesting++;
        return;
    }
    ck_spinlock_fas_lock(&validator_lock);
    WRITE_ONCE(validator_owner, me);
    validator_nesting = 1;
}

void lockdep_unlock(void)
{
    if (--validator_nesting)
        return;
    WRITE_ONCE(validator_owner, -1);
    ck_spinlock_fas_unlock(&validator_lock);
}

/* Problems already reported: open addressing on a hash of the key. */
#define DEDUPE_SLOTS 1024
static uint64_t reported[DEDUPE_SLOTS];

static uint64_t counts[LOCKDEP_PROBLEM_COUNT];
static uint64_t total, unexpected;
static unsigned expect_windows;
static uint64_t window_reports;
static struct lockdep_report_info last;
static bool fatal_forced;

static uint64_t key_hash(const struct lockdep_problem_key *k)
{
    uint64_t h = (uint64_t)k->problem * 0x9e3779b97f4a7c15ul;
    h ^= ((uint64_t)k->class_a << 16 | k->class_b) * 0xff51afd7ed558ccdul;
    h ^= k->site * 0xc4ceb9fe1a85ec53ul;
    h ^= h >> 29;
    return h ? h : 1;
}

/* True the first time a key is seen. A full table reports everything. */
static bool first_time(const struct lockdep_problem_key *k)
{
    uint64_t h = key_hash(k);
    for (unsigned i = 0; i < DEDUPE_SLOTS; i++) {
        uint64_t *slot = &reported[(h + i) % DEDUPE_SLOTS];
        if (*slot == h)
            return false;
        if (*slot == 0) {
            *slot = h;
            return true;
        }
    }
    return true;
}

static const char *const problem_names[LOCKDEP_PROBLEM_COUNT] = {
    [LOCKDEP_ORDER_INVERSION] = "order_inversion",
    [LOCKDEP_SLEEP_IN_ATOMIC] = "sleep_in_atomic",
    [LOCKDEP_IRQ_SAFETY] = "irq_safety",
    [LOCKDEP_RECURSIVE_ACQUIRE] = "recursive_acquire",
    [LOCKDEP_UNLOCK_NON_OWNER] = "unlock_non_owner",
    [LOCKDEP_RELEASE_NOT_HELD] = "release_not_held",
    [LOCKDEP_HELD_STACK_OVERFLOW] = "held_stack_overflow",
    [LOCKDEP_CONTRACT_NOSLEEP] = "contract_nosleep",
    [LOCKDEP_CONTRACT_REQUIRE_HELD] = "contract_require_held",
    [LOCKDEP_CONTRACT_REENTERED] = "contract_reentered",
    [LOCKDEP_CONTRACT_UNDECLARED_CLASS] = "contract_undeclared_class",
};

bool lockdep_report_begin(const struct lockdep_problem_key *key, const char *title,
                          const struct lockdep_report_info *info)
{
    lockdep_lock();
    if (!first_time(key)) {
        lockdep_unlock();
        return false;
    }
    counts[key->problem]++;
    total++;
    if (expect_windows)
        window_reports++;
    else
        unexpected++;
    last = *info;
    last.problem = key->problem;
    kprintf("lockdep: %s [%s, report %lu]\n", title, problem_names[key->problem], total);
    return true;
}

void lockdep_line(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("lockdep:   %s\n", buf);
}

void lockdep_report_end(void)
{
    bool deliberate = expect_windows != 0;
    kprintf("lockdep: end of report %lu%s\n", total,
            deliberate ? " (deliberate: a validator test expects it)" : "");
    bool fatal = fatal_forced || boot_arg("lockdep_fatal");
    lockdep_unlock();
    if (fatal && !deliberate)
        panic("lockdep: fatal report (lockdep_fatal)");
}

void lockdep_format_site(uint64_t site, char *buf, size_t size)
{
    if (!site) {
        ksnprintf(buf, size, "(unknown)");
        return;
    }
    ksyms_format(site, buf, size);
}

static const char *kind_name(unsigned kind)
{
    switch (kind) {
    case LOCK_KIND_SPIN:
        return "spin";
    case LOCK_KIND_MUTEX:
        return "mutex";
    case LOCK_KIND_READ:
        return "read";
    case LOCK_KIND_WRITE:
        return "write";
    case LOCK_KIND_CRIT:
        return "crit";
    }
    return "?";
}

void lockdep_print_held(const struct lock_thread_state *ts)
{
    if (!ts || !ts->depth) {
        lockdep_line("no locks held");
        return;
    }
    lockdep_line("locks held (%u), oldest first:", ts->depth);
    for (unsigned i = 0; i < ts->depth; i++) {
        char site[96];
        lockdep_format_site(ts->held[i].site, site, sizeof(site));
        lockdep_line("  #%u \"%s\" (%s%s) taken at %s", i, lockdep_class_name(ts->held[i].class_id),
                     kind_name(ts->held[i].kind), ts->held[i].irq_depth ? ", in interrupt" : "",
                     site);
    }
}

void lockdep_print_self(const char *what)
{
    struct thread *t = current_thread();
    struct cpu *c = this_cpu();
    lockdep_line("%s: thread %u \"%s\" on cpu%u (preempt_count %d, irq_depth %d)", what,
                 t ? t->id : 0, t ? thread_name(t) : "(boot)", c->id, c->preempt_count,
                 c->irq_depth);
}

uint64_t lockdep_report_count(enum lockdep_problem problem)
{
    return problem < LOCKDEP_PROBLEM_COUNT ? READ_ONCE(counts[problem]) : 0;
}

uint64_t lockdep_reports_total(void) { return READ_ONCE(total); }

uint64_t lockdep_reports_unexpected(void) { return READ_ONCE(unexpected); }

struct lockdep_report_info lockdep_last_report(void)
{
    uint64_t flags = irq_save();
    lockdep_lock();
    struct lockdep_report_info copy = last;
    lockdep_unlock();
    irq_restore(flags);
    return copy;
}

void lockdep_expect_begin(void)
{
    uint64_t flags = irq_save();
    lockdep_lock();
    if (expect_windows++ == 0)
        window_reports = 0;
    lockdep_unlock();
    irq_restore(flags);
}

uint64_t lockdep_expect_end(void)
{
    uint64_t flags = irq_save();
    lockdep_lock();
    uint64_t n = window_reports;
    if (expect_windows)
        expect_windows--;
    lockdep_unlock();
    irq_restore(flags);
    return n;
}

void lockdep_set_fatal(bool fatal) { WRITE_ONCE(fatal_forced, fatal); }

#endif
