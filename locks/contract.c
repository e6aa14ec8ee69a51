/* contract.c — the run-time contract hooks (contract.h), reported through
 * the lock validator. */
#include "lockdep_internal.h"
#include <locks/contract.h>
#include <wisp/sched.h>
#include <wisp/cpu.h>
#include <wisp/format.h>
#include <string.h>

#if WISP_LOCKDEP_ENABLED

void contract_might_sleep(const char *who)
{
    lockdep_check_sleep((uint64_t)__builtin_return_address(0), who);
}

void contract_nosleep_begin(const char *who)
{
    uint64_t flags = irq_save();
    struct lock_thread_state *ts = lockdep_current_state();
    if (ts && ts->nosleep_depth++ == 0) {
        ts->nosleep_who = who;
        ts->nosleep_site = (uint64_t)__builtin_return_address(0);
    }
    irq_restore(flags);
}

void contract_nosleep_end(void)
{
    uint64_t flags = irq_save();
    struct lock_thread_state *ts = lockdep_current_state();
    if (ts && ts->nosleep_depth)
        ts->nosleep_depth--;
    irq_restore(flags);
}

static bool holds_class(const struct lock_thread_state *ts, uint16_t cls)
{
    for (unsigned i = 0; cls && ts && i < ts->depth; i++)
        if (ts->held[i].class_id == cls)
            return true;
    return false;
}

bool contract_require_held(const char *class_name, const char *who)
{
    uint64_t site = (uint64_t)__builtin_return_address(0);
    uint64_t flags = irq_save();
    struct lock_thread_state *ts = lockdep_current_state();
    uint16_t cls = lockdep_class_find(class_name);
    bool held = !ts || holds_class(ts, cls);
    if (!held) {
        struct thread *t = current_thread();
        struct lockdep_problem_key key = { LOCKDEP_CONTRACT_REQUIRE_HELD, cls, 0, site };
        struct lockdep_report_info info = { .class_a = class_name,
                                            .who = who,
                                            .thread_a = t ? t->id : 0 };
        if (lockdep_report_begin(&key, "contract: required lock class not held", &info)) {
            char s[96];
            lockdep_format_site(site, s, sizeof(s));
            lockdep_print_self("thread");
            lockdep_line("contract: \"%s\" requires \"%s\" held on entry; checked at %s", who,
                         class_name, s);
            lockdep_print_held(ts);
            lockdep_report_end();
        }
    }
    irq_restore(flags);
    return held;
}

static void report_reentered(struct contract_nonreentrant *s, struct thread *inside,
                             uint64_t first_site, uint32_t first_cpu, uint64_t site)
{
    struct thread *t = current_thread();
    struct lockdep_problem_key key = { LOCKDEP_CONTRACT_REENTERED, 0, 0, (uint64_t)s };
    struct lockdep_report_info info = { .who = s->who,
                                        .thread_a = t ? t->id : 0,
                                        .thread_b = inside->id };
    if (!lockdep_report_begin(&key, "contract: non-re-entrant function entered twice", &info))
        return;
    char s1[96], s2[96];
    lockdep_format_site(first_site, s1, sizeof(s1));
    lockdep_format_site(site, s2, sizeof(s2));
    lockdep_line("contract: \"%s\" is not re-entrant", s->who);
    lockdep_line("inside: thread %u \"%s\" on cpu%u, entered at %s", inside->id,
                 thread_name(inside), first_cpu, s1);
    lockdep_print_self("entering too");
    lockdep_line("    entered at %s%s", s2, inside == t ? " (recursion)" : "");
    lockdep_report_end();
}

void contract_nonreentrant_enter(struct contract_nonreentrant *s)
{
    uint64_t site = (uint64_t)__builtin_return_address(0);
    struct thread *self = current_thread();
    struct thread *expected = NULL;
    uint64_t flags = irq_save();
    if (__atomic_compare_exchange_n(&s->inside, &expected, self, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        s->site = site;
        s->cpu = cpu_id();
    } else {
        /* The first thread's site may be a moment stale: it is for the report. */
        report_reentered(s, expected, READ_ONCE(s->site), READ_ONCE(s->cpu), site);
    }
    irq_restore(flags);
}

void contract_nonreentrant_exit(struct contract_nonreentrant *s)
{
    struct thread *self = current_thread();
    __atomic_compare_exchange_n(&s->inside, &self, NULL, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

void contract_scope_begin(struct contract_scope *s, const char *who)
{
    uint64_t flags = irq_save();
    struct lock_thread_state *ts = lockdep_current_state();
    s->who = who;
    memset(s->taken, 0, sizeof(s->taken));
    if (ts) {
        memcpy(s->outer, ts->taken, sizeof(s->outer));
        memset(ts->taken, 0, sizeof(ts->taken));
        s->outer_irq_depth = ts->scope_irq_depth;
        ts->scope_irq_depth = (uint8_t)this_cpu()->irq_depth;
        ts->scope_depth++;
    }
    irq_restore(flags);
}

void contract_scope_end(struct contract_scope *s)
{
    uint64_t flags = irq_save();
    struct lock_thread_state *ts = lockdep_current_state();
    if (ts) {
        memcpy(s->taken, ts->taken, sizeof(s->taken));
        for (unsigned w = 0; w < CONTRACT_CLASS_WORDS; w++)
            ts->taken[w] |= s->outer[w];
        ts->scope_irq_depth = s->outer_irq_depth;
        ts->scope_depth--;
    }
    irq_restore(flags);
}

bool contract_scope_took(const struct contract_scope *s, const char *class_name)
{
    uint16_t cls = lockdep_class_find(class_name);
    return cls && (s->taken[cls / 64] & (1ul << (cls % 64)));
}

static bool declared_has(const char *const *declared, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(declared[i], name) == 0)
            return true;
    return false;
}

static void report_undeclared(const struct contract_scope *s, uint16_t cls,
                              const char *const *declared, unsigned n)
{
    struct thread *t = current_thread();
    struct lockdep_problem_key key = { LOCKDEP_CONTRACT_UNDECLARED_CLASS, cls, 0,
                                       (uint64_t)s->who };
    struct lockdep_report_info info = { .class_a = lockdep_class_name(cls),
                                        .who = s->who,
                                        .thread_a = t ? t->id : 0 };
    if (!lockdep_report_begin(&key, "contract: lock class taken but not declared", &info))
        return;
    lockdep_print_self("thread");
    lockdep_line("contract: \"%s\" took \"%s\", which it does not declare", s->who,
                 lockdep_class_name(cls));
    char list[160] = "";
    size_t len = 0;
    for (unsigned i = 0; i < n && len + 4 < sizeof(list); i++)
        len =
            MIN(sizeof(list) - 1, len + (size_t)ksnprintf(list + len, sizeof(list) - len,
                                                          "%s\"%s\"", i ? ", " : "", declared[i]));
    lockdep_line("declared: %s", n ? list : "(none)");
    lockdep_report_end();
}

unsigned contract_scope_check_declared(const struct contract_scope *s, const char *const *declared,
                                       unsigned n)
{
    unsigned found = 0;
    uint64_t flags = irq_save();
    for (unsigned w = 0; w < CONTRACT_CLASS_WORDS; w++) {
        uint64_t bits = s->taken[w];
        while (bits) {
            uint16_t cls = (uint16_t)(w * 64 + (unsigned)__builtin_ctzl(bits));
            bits &= bits - 1;
            if (declared_has(declared, n, lockdep_class_name(cls)))
                continue;
            found++;
            report_undeclared(s, cls, declared, n);
        }
    }
    irq_restore(flags);
    return found;
}

#endif
