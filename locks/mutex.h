/* mutex.h — sleeping mutual exclusion with an owner.
 *
 * mutex_lock() takes a free mutex with one compare-and-swap; when it is
 * held, the caller spins a little (the holder may be about to release it),
 * then sleeps on the mutex's wait queue. Process context only: it may
 * sleep, so never with a spinlock held, in a critical section, with
 * interrupts off or in an interrupt handler (the validator reports each).
 * A mutex holder may sleep. Only the owner unlocks.
 */
#pragma once
#include <wisp/sched.h>
#include <locks/lockdep.h>

struct mutex {
    struct thread *owner; /* NULL when free; set by CAS */
    unsigned waiters;     /* threads in the slow path */
    struct wait_queue wq; /* sleepers; its lock orders with owner */
    struct lock_dep dep;
};

#define MUTEX_INIT(var, n) \
    { \
        .owner = NULL, .waiters = 0, .wq = WAIT_QUEUE_INIT((var).wq), .dep = LOCK_DEP_INIT(n) \
    }

void mutex_init(struct mutex *m, const char *name);
/* Process context, may sleep. */
void mutex_lock(struct mutex *m);
/* Any context except interrupts; never sleeps. True with the mutex held. */
bool mutex_trylock(struct mutex *m);
/* The owner only; never sleeps. */
void mutex_unlock(struct mutex *m);

static inline bool mutex_is_locked(const struct mutex *m) { return READ_ONCE(m->owner) != NULL; }

static inline struct thread *mutex_owner(const struct mutex *m) { return READ_ONCE(m->owner); }
