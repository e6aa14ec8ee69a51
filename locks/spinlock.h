/* spinlock.h — kernel spinlocks on Concurrency Kit's ticket lock (FIFO-fair).
 *
 * spin_lock() disables preemption for as long as the lock is held; the
 * _irqsave variants also disable interrupts and must be used for any lock
 * that an interrupt handler takes. A spinlock holder must not sleep.
 *
 * Every spinlock has a class name (SPINLOCK_INIT("name"), spin_init(l,
 * "name")); the validator (lockdep.h) checks its use by class. A lock that
 * one thread takes and another releases — the scheduler's run-queue lock,
 * held across context_switch — is declared with spin_init_untracked() and
 * is not validated.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/percpu.h>
#include <wisp/cpu.h>
#include <locks/lockdep.h>
#include <ck_spinlock.h>

struct spinlock {
    ck_spinlock_ticket_t ticket;
    struct lock_dep dep;
};

#define SPINLOCK_INIT(n) \
    { \
        .ticket = CK_SPINLOCK_TICKET_INITIALIZER, .dep = LOCK_DEP_INIT(n) \
    }

static inline void spin_init(struct spinlock *l, const char *name)
{
    ck_spinlock_ticket_init(&l->ticket);
    l->dep = (struct lock_dep)LOCK_DEP_INIT(name);
}

/* For a lock handed from thread to thread (released by another thread than
 * the one that took it): the validator ignores it. */
static inline void spin_init_untracked(struct spinlock *l, const char *name)
{
    spin_init(l, name);
    lockdep_set_untracked(&l->dep);
}

/* Any context; the caller must not sleep until spin_unlock(). */
static __lock_inline void spin_lock(struct spinlock *l)
{
    preempt_disable();
    lockdep_acquire(&l->dep, LOCK_KIND_SPIN, 0);
    ck_spinlock_ticket_lock(&l->ticket);
    lockdep_owned(&l->dep);
}

/* Returns true with the lock held (preemption off), false without. */
static __lock_inline bool spin_trylock(struct spinlock *l)
{
    preempt_disable();
    if (!ck_spinlock_ticket_trylock(&l->ticket)) {
        preempt_enable();
        return false;
    }
    lockdep_acquired_try(&l->dep, LOCK_KIND_SPIN, 0);
    lockdep_owned(&l->dep);
    return true;
}

static __lock_inline void spin_unlock(struct spinlock *l)
{
    if (!lockdep_release(&l->dep, LOCK_KIND_SPIN, 0))
        return; /* not ours: reported, left alone */
    ck_spinlock_ticket_unlock(&l->ticket);
    preempt_enable();
}

/* Any context, interrupt handlers included. Returns the flags to restore. */
static __lock_inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = irq_save();
    preempt_disable();
    lockdep_acquire(&l->dep, LOCK_KIND_SPIN, 0);
    ck_spinlock_ticket_lock(&l->ticket);
    lockdep_owned(&l->dep);
    return flags;
}

static __lock_inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    if (!lockdep_release(&l->dep, LOCK_KIND_SPIN, 0)) {
        irq_restore(flags);
        return;
    }
    ck_spinlock_ticket_unlock(&l->ticket);
    preempt_enable_no_resched();
    irq_restore(flags);
    if (unlikely(this_cpu()->need_resched) && preemptible() && irqs_enabled())
        preempt_enable_slow();
}

static inline bool spin_is_locked(struct spinlock *l)
{
    return ck_spinlock_ticket_locked(&l->ticket);
}
