/* rwlock.h — reader-writer spinlock on Concurrency Kit's ck_rwlock.
 *
 * Spinning, not sleeping: readers and the writer run with preemption off
 * and must not sleep; use it for short read-mostly sections (tables
 * searched often, changed rarely). Readers run in parallel; a writer
 * excludes readers and other writers. ck_rwlock prefers writers: once a
 * writer waits, new readers wait too — so a reader must never take the
 * same rwlock again (the validator reports it as a recursive acquire).
 * Not for interrupt handlers (no _irqsave variant yet).
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/percpu.h>
#include <locks/lockdep.h>
#include <ck_rwlock.h>

struct rwlock {
    ck_rwlock_t rw;
    struct lock_dep dep;
};

#define RWLOCK_INIT(n) \
    { \
        .rw = CK_RWLOCK_INITIALIZER, .dep = LOCK_DEP_INIT(n) \
    }

static inline void rwlock_init(struct rwlock *l, const char *name)
{
    ck_rwlock_init(&l->rw);
    l->dep = (struct lock_dep)LOCK_DEP_INIT(name);
}

/* Process context; must not sleep until read_unlock(). */
static __lock_inline void read_lock(struct rwlock *l)
{
    preempt_disable();
    lockdep_acquire(&l->dep, LOCK_KIND_READ, 0);
    ck_rwlock_read_lock(&l->rw);
}

static __lock_inline void read_unlock(struct rwlock *l)
{
    if (!lockdep_release(&l->dep, LOCK_KIND_READ, 0))
        return;
    ck_rwlock_read_unlock(&l->rw);
    preempt_enable();
}

/* Process context; must not sleep until write_unlock(). */
static __lock_inline void write_lock(struct rwlock *l)
{
    preempt_disable();
    lockdep_acquire(&l->dep, LOCK_KIND_WRITE, 0);
    ck_rwlock_write_lock(&l->rw);
    lockdep_owned(&l->dep);
}

static __lock_inline void write_unlock(struct rwlock *l)
{
    if (!lockdep_release(&l->dep, LOCK_KIND_WRITE, 0))
        return;
    ck_rwlock_write_unlock(&l->rw);
    preempt_enable();
}
