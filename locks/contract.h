/* contract.h — run-time checks of the concurrency contracts that module
 * manifests declare (may sleep, must not sleep, requires a lock class held,
 * not re-entrant, lock classes taken).
 *
 * Each hook takes `who`, the label a report names: by convention
 * "module:function" (e.g. "console:console_write"). A violation is a
 * lockdep report (see lockdep.h): one block, once per distinct problem,
 * counted, non-fatal unless lockdep_fatal. Without the validator
 * (release builds) every hook is empty and costs nothing.
 *
 * Contexts: every hook may be called from any context and never sleeps.
 */
#pragma once
#include <locks/lockdep.h>

/* State of one non-re-entrant function: define one per function, static,
 * with CONTRACT_NONREENTRANT_INIT("module:function"). */
struct contract_nonreentrant {
    const char *who;
    struct thread *inside; /* the thread inside, or NULL */
    uint64_t site;         /* where it entered */
    uint32_t cpu;
};
#define CONTRACT_NONREENTRANT_INIT(w) \
    { \
        .who = (w) \
    }

/* The lock classes one thread takes between contract_scope_begin() and
 * contract_scope_end() (interrupt handlers that run meanwhile excluded).
 * Scopes nest: an inner scope's classes also count for the outer one. */
#define CONTRACT_CLASS_WORDS (LOCKDEP_MAX_CLASSES / 64)
struct contract_scope {
    const char *who;
    uint64_t outer[CONTRACT_CLASS_WORDS]; /* the enclosing scope's set */
    uint64_t taken[CONTRACT_CLASS_WORDS]; /* filled by contract_scope_end */
    uint8_t outer_irq_depth;
};

#if WISP_LOCKDEP_ENABLED

/* "may sleep": reports a call from a context that cannot sleep (spinlock
 * or critical section held, preemption or interrupts off, interrupt
 * context, inside a must-not-sleep region) even if this call does not
 * happen to sleep. */
void contract_might_sleep(const char *who);
/* "must not sleep": any sleep of this thread between begin and end is
 * reported, naming who. Regions nest; the outermost names the report. */
void contract_nosleep_begin(const char *who);
void contract_nosleep_end(void);
/* "requires lock class X held": reports when the calling thread holds no
 * lock of class `class_name`. Returns true when it holds one. */
bool contract_require_held(const char *class_name, const char *who);
/* "not re-entrant": reports a second entry while a thread is inside
 * (naming both threads); exit must follow every enter on the same thread. */
void contract_nonreentrant_enter(struct contract_nonreentrant *s);
void contract_nonreentrant_exit(struct contract_nonreentrant *s);

void contract_scope_begin(struct contract_scope *s, const char *who);
void contract_scope_end(struct contract_scope *s);
/* After contract_scope_end: was class_name taken inside the scope? */
bool contract_scope_took(const struct contract_scope *s, const char *class_name);
/* After contract_scope_end: reports every class taken inside the scope
 * that `declared` (n class names) does not list; returns how many. */
unsigned contract_scope_check_declared(const struct contract_scope *s, const char *const *declared,
                                       unsigned n);

#else

static inline void contract_might_sleep(const char *who) {}
static inline void contract_nosleep_begin(const char *who) {}
static inline void contract_nosleep_end(void) {}
static inline bool contract_require_held(const char *c, const char *who) { return true; }
static inline void contract_nonreentrant_enter(struct contract_nonreentrant *s) {}
static inline void contract_nonreentrant_exit(struct contract_nonreentrant *s) {}
static inline void contract_scope_begin(struct contract_scope *s, const char *who) {}
static inline void contract_scope_end(struct contract_scope *s) {}
static inline bool contract_scope_took(const struct contract_scope *s, const char *c)
{
    return false;
}
static inline unsigned contract_scope_check_declared(const struct contract_scope *s,
                                                     const char *const *d, unsigned n)
{
    return 0;
}

#endif
