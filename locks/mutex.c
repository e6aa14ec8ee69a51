/* mutex.c — the sleeping mutex (mutex.h).
 *
 * Lost wakeups are impossible: a sleeper counts itself in `waiters`
 * (a locked instruction, a full barrier) before it tests `owner` under the
 * wait queue's lock; the unlocker clears `owner` and then, after a full
 * barrier, reads `waiters`. Either the sleeper sees the mutex free, or the
 * unlocker sees the sleeper and wakes the queue.
 */
#include <locks/mutex.h>
#include <wisp/cpu.h>

#define MUTEX_SPIN_TRIES 64

void mutex_init(struct mutex *m, const char *name)
{
    m->owner = NULL;
    m->waiters = 0;
    wait_queue_init(&m->wq);
    m->dep = (struct lock_dep)LOCK_DEP_INIT(name);
}

static bool try_take(struct mutex *m)
{
    struct thread *expected = NULL;
    return __atomic_compare_exchange_n(&m->owner, &expected, current_thread(), false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* wait_queue_wait's condition: runs under the queue's lock. */
static bool took_it(void *arg) { return try_take(arg); }

static void lock_slow(struct mutex *m)
{
    for (int i = 0; i < MUTEX_SPIN_TRIES; i++) {
        if (!READ_ONCE(m->owner) && try_take(m))
            return;
        cpu_relax();
    }
    __atomic_fetch_add(&m->waiters, 1, __ATOMIC_SEQ_CST);
    wait_queue_wait(&m->wq, took_it, m);
    __atomic_fetch_sub(&m->waiters, 1, __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
    uint64_t site = (uint64_t)__builtin_return_address(0);
    lockdep_might_sleep(site);
    lockdep_acquire(&m->dep, LOCK_KIND_MUTEX, site);
    if (!try_take(m))
        lock_slow(m);
    lockdep_owned(&m->dep);
}

bool mutex_trylock(struct mutex *m)
{
    if (!try_take(m))
        return false;
    lockdep_acquired_try(&m->dep, LOCK_KIND_MUTEX, (uint64_t)__builtin_return_address(0));
    lockdep_owned(&m->dep);
    return true;
}

void mutex_unlock(struct mutex *m)
{
    if (!lockdep_release(&m->dep, LOCK_KIND_MUTEX, (uint64_t)__builtin_return_address(0)))
        return; /* not the owner: reported, left alone */
    __atomic_store_n(&m->owner, NULL, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the waiters increment */
    if (READ_ONCE(m->waiters))
        wake_up_one(&m->wq);
}
