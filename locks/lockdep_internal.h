/* lockdep_internal.h — the validator's per-thread state and report plumbing,
 * shared by lockdep.c (lock rules) and contract.c (contract hooks) only. */
#pragma once
#include <locks/lockdep.h>
#include <wisp/percpu.h>

#define LOCKDEP_CLASS_WORDS (LOCKDEP_MAX_CLASSES / 64)

struct held_lock {
    struct lock_dep *dep;
    uint64_t site; /* where it was acquired */
    uint16_t class_id;
    uint8_t kind;      /* enum lock_kind */
    uint8_t irq_depth; /* cpu->irq_depth when acquired */
};

/* One per thread (thread->lock_state); touched only by its own thread, with
 * interrupts off (interrupt handlers run on the interrupted thread). */
struct lock_thread_state {
    unsigned depth;
    unsigned overflow; /* acquisitions not recorded (stack full) */
    struct held_lock held[LOCKDEP_MAX_HELD];
    unsigned nosleep_depth;  /* contract_nosleep_begin() nesting */
    const char *nosleep_who; /* outermost region's label and site */
    uint64_t nosleep_site;
    unsigned scope_depth;                /* contract scopes open */
    uint8_t scope_irq_depth;             /* irq_depth of the innermost scope */
    uint64_t taken[LOCKDEP_CLASS_WORDS]; /* classes taken in the scope */
};

/* One report: filled by the checker, printed by lockdep_report(). The
 * extra lines (sites, held locks) are printed by the checker through
 * lockdep_line() between lockdep_report_begin() and lockdep_report_end(). */
struct lockdep_problem_key {
    enum lockdep_problem problem;
    uint16_t class_a, class_b;
    uint64_t site; /* 0 when the site does not matter */
};

/* The calling thread's state, or NULL (early boot, no memory). Interrupts
 * must be off. */
struct lock_thread_state *lockdep_current_state(void);
/* Starts a report: false when this problem was reported before (nothing
 * printed; the caller skips its lines). Takes the validator's lock, which
 * lockdep_report_end() releases; interrupts must be off. */
bool lockdep_report_begin(const struct lockdep_problem_key *key, const char *title,
                          const struct lockdep_report_info *info);
void lockdep_line(const char *fmt, ...) __printf(1, 2);
void lockdep_report_end(void);
/* "name+0x12" for a code address. */
void lockdep_format_site(uint64_t site, char *buf, size_t size);
/* Prints the current thread's held locks as report lines. */
void lockdep_print_held(const struct lock_thread_state *ts);
/* "thread 12 \"name\" on cpu1" for the current thread. */
void lockdep_print_self(const char *what);
bool lockdep_check_sleep(uint64_t site, const char *who);
/* The validator lock (lockdep_report.c); interrupts must be off. Re-entrant
 * on one CPU. */
void lockdep_lock(void);
void lockdep_unlock(void);
/* Class id of a name already registered, or 0; lockless, any context. */
uint16_t lockdep_class_find(const char *name);
