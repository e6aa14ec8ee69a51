/* mutex.h — the SDK's user mutex (installed as <wisp/mutex.h>): a lock
 * that costs one atomic instruction when nobody else holds it and sleeps
 * in the kernel (futex_wait / futex_wake) only when contended.
 *
 * state: 0 free, 1 held, 2 held and maybe waited for. lock: 0 -> 1 with
 * one compare-exchange; otherwise it swaps in 2 and sleeps while the
 * state is 2. unlock: one decrement; from 2 it stores 0 and wakes one
 * waiter (who takes the lock as 2, so that its own unlock wakes the next).
 * waits counts the futex_wait calls (how often the slow path slept).
 * Acquire on lock and release on unlock order the protected data.
 */
#pragma once
#include <ghost.h>
#include <stdint.h>

struct wisp_mutex {
    uint32_t state;
    uint32_t waits;
};

#define WISP_MUTEX_INIT \
    { \
        0, 0 \
    }

static inline void wisp_mutex_lock_slow(struct wisp_mutex *m, uint32_t c)
{
    if (c != 2)
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        __atomic_fetch_add(&m->waits, 1, __ATOMIC_RELAXED);
        futex_wait(&m->state, 2, 0);
        c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
    }
}

static inline void wisp_mutex_lock(struct wisp_mutex *m)
{
    uint32_t c = 0;
    if (!__atomic_compare_exchange_n(&m->state, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        wisp_mutex_lock_slow(m, c);
}

static inline void wisp_mutex_unlock(struct wisp_mutex *m)
{
    if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
        futex_wake(&m->state, 1);
    }
}
