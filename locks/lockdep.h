/* lockdep.h — the lock validator: what the lock types call, what tests read.
 *
 * Compiled in when WISP_DEBUG or WISP_LOCKDEP is defined (and WISP_NO_LOCKDEP
 * is not); otherwise every hook below is an empty inline and costs nothing.
 *
 * Each lock embeds a struct lock_dep: its class name and, in validator
 * builds, the cached class id and the thread that holds it. A lock class is
 * keyed by its name: every lock initialised with the name "runqueue" is in
 * class "runqueue" (like Linux's classes keyed by the init site, but stable
 * across builds and spelled the way module manifests spell them).
 *
 * The validator runs inside spin_lock(): it never sleeps, never allocates,
 * and guards its tables with a raw ck spinlock taken with interrupts off.
 * Reports go to the console as one block starting with "lockdep: "; each
 * distinct problem is reported once and counted; the kernel keeps running
 * unless the boot flag "lockdep_fatal" (or lockdep_set_fatal()) asks it to
 * panic. See locks/README.md.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/percpu.h>

#if (defined(WISP_DEBUG) || defined(WISP_LOCKDEP)) && !defined(WISP_NO_LOCKDEP)
#define WISP_LOCKDEP_ENABLED 1
#else
#define WISP_LOCKDEP_ENABLED 0
#endif

#define __lock_inline inline __attribute__((always_inline))

struct thread;

/* How a lock is held; the validator's rules depend on it. */
enum lock_kind {
    LOCK_KIND_SPIN,  /* spinning, preemption off: holder must not sleep */
    LOCK_KIND_MUTEX, /* sleeping: holder may sleep */
    LOCK_KIND_READ,  /* rwlock, shared (spinning) */
    LOCK_KIND_WRITE, /* rwlock, exclusive (spinning) */
    LOCK_KIND_CRIT,  /* crit_enter() section: no order, no sleep */
};

/* The violations the validator reports; counted per kind. */
enum lockdep_problem {
    LOCKDEP_ORDER_INVERSION = 1,
    LOCKDEP_SLEEP_IN_ATOMIC, /* sleep with a spinlock/preemption off/IRQ */
    LOCKDEP_IRQ_SAFETY,      /* class taken in IRQ and with IRQs enabled */
    LOCKDEP_RECURSIVE_ACQUIRE,
    LOCKDEP_UNLOCK_NON_OWNER,
    LOCKDEP_RELEASE_NOT_HELD,
    LOCKDEP_HELD_STACK_OVERFLOW,
    LOCKDEP_CONTRACT_NOSLEEP, /* sleep inside contract_nosleep_begin/end */
    LOCKDEP_CONTRACT_REQUIRE_HELD,
    LOCKDEP_CONTRACT_REENTERED,
    LOCKDEP_CONTRACT_UNDECLARED_CLASS,
    LOCKDEP_PROBLEM_COUNT,
};

#define LOCKDEP_MAX_CLASSES 512 /* class ids are 1..511; 0 = none */
#define LOCKDEP_MAX_HELD    32  /* locks one thread holds at once */

/* In every lock. name is the class; the rest is the validator's. */
struct lock_dep {
    const char *name;
#if WISP_LOCKDEP_ENABLED
    uint16_t class_id;    /* 0 until the first acquire resolves it */
    bool untracked;       /* handed between threads: not validated */
    struct thread *owner; /* holder (exclusive kinds), for reports */
#endif
};

#define LOCK_DEP_INIT(n) \
    { \
        .name = (n) \
    }

/* What the last report said, for tests (names point at class names). */
struct lockdep_report_info {
    enum lockdep_problem problem;
    const char *class_a;         /* the class acquired / released / required */
    const char *class_b;         /* the other class of an inversion, or NULL */
    const char *who;             /* contract label, or NULL */
    uint32_t thread_a, thread_b; /* thread ids involved (b: the other one) */
};

#if WISP_LOCKDEP_ENABLED

/* Lock-type hooks. site 0 means "my caller": the inline lock functions pass
 * 0 so that the site is the function that called spin_lock(). */
void lockdep_acquire(struct lock_dep *dep, enum lock_kind kind, uint64_t site);
/* Returns false when the release must not happen (lock not held by the
 * caller): the lock type then leaves the lock as it is. */
bool lockdep_release(struct lock_dep *dep, enum lock_kind kind, uint64_t site);
/* A trylock succeeded: held from now on, but it cannot deadlock, so no
 * order or recursion check. */
void lockdep_acquired_try(struct lock_dep *dep, enum lock_kind kind, uint64_t site);
/* The caller is about to sleep (sched_sleep_ns, wait_queue_wait, mutex). */
void lockdep_might_sleep(uint64_t site);
void lockdep_set_untracked(struct lock_dep *dep);

/* After an exclusive acquire succeeded: the holder, for non-owner reports. */
static __lock_inline void lockdep_owned(struct lock_dep *dep)
{
    WRITE_ONCE(dep->owner, this_cpu()->current);
}

/* Thread life cycle (kernel/sched/thread.c). */
void lockdep_thread_init(struct thread *t);
void lockdep_thread_free(struct thread *t);

/* Counters and the last report, for tests and the ktest runner. */
uint64_t lockdep_report_count(enum lockdep_problem problem);
uint64_t lockdep_reports_total(void);
/* Reports that no lockdep_expect_begin() window covered. */
uint64_t lockdep_reports_unexpected(void);
struct lockdep_report_info lockdep_last_report(void);
/* Deliberate violations (validator tests) go between these two calls;
 * end returns how many reports the window saw. */
void lockdep_expect_begin(void);
uint64_t lockdep_expect_end(void);
void lockdep_set_fatal(bool fatal);
/* Locks the calling thread holds now. */
unsigned lockdep_held_count(void);
/* Panics, naming the lock and the caller, unless the calling thread is the
 * recorded holder of dep (an exclusive lock: spinlock, mutex, write side).
 * What a `*_locked` function asserts, as Linux's lockdep_assert_held. */
void lockdep_assert_held_by_me(const struct lock_dep *dep, uint64_t site);
#define lockdep_assert_held(dep) \
    lockdep_assert_held_by_me((dep), (uint64_t)__builtin_return_address(0))
/* Class id for a name (registers it); 0 when the table is full. */
uint16_t lockdep_class_id(const char *name);
const char *lockdep_class_name(uint16_t id);

#define might_sleep() lockdep_might_sleep((uint64_t)__builtin_return_address(0))

#else

static __lock_inline void lockdep_acquire(struct lock_dep *d, enum lock_kind k, uint64_t s) {}
static __lock_inline bool lockdep_release(struct lock_dep *d, enum lock_kind k, uint64_t s)
{
    return true;
}
static __lock_inline void lockdep_acquired_try(struct lock_dep *d, enum lock_kind k, uint64_t s) {}
static __lock_inline void lockdep_might_sleep(uint64_t site) {}
static __lock_inline void lockdep_set_untracked(struct lock_dep *dep) {}
static __lock_inline void lockdep_owned(struct lock_dep *dep) {}
static inline void lockdep_thread_init(struct thread *t) {}
static inline void lockdep_thread_free(struct thread *t) {}
static inline uint64_t lockdep_report_count(enum lockdep_problem p) { return 0; }
static inline uint64_t lockdep_reports_total(void) { return 0; }
static inline uint64_t lockdep_reports_unexpected(void) { return 0; }
static inline unsigned lockdep_held_count(void) { return 0; }
#define lockdep_assert_held(dep) \
    do { \
    } while (0)
#define might_sleep() \
    do { \
    } while (0)

#endif
