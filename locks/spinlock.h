/* spinlock.h — kernel spinlocks on Concurrency Kit's ticket lock (FIFO-fair).
 *
 * spin_lock() disables preemption for as long as the lock is held; the
 * _irqsave variants also disable interrupts and must be used for any lock
 * that an interrupt handler takes. A spinlock holder must not sleep.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/percpu.h>
#include <wisp/cpu.h>
#include <ck_spinlock.h>

struct spinlock {
    ck_spinlock_ticket_t ticket;
    const char *name;
};

#define SPINLOCK_INIT(n) { .ticket = CK_SPINLOCK_TICKET_INITIALIZER, .name = (n) }

static inline void spin_init(struct spinlock *l, const char *name)
{
    ck_spinlock_ticket_init(&l->ticket);
    l->name = name;
}

static inline void spin_lock(struct spinlock *l)
{
    preempt_disable();
    ck_spinlock_ticket_lock(&l->ticket);
}

static inline void spin_unlock(struct spinlock *l)
{
    ck_spinlock_ticket_unlock(&l->ticket);
    preempt_enable();
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = irq_save();
    preempt_disable();
    ck_spinlock_ticket_lock(&l->ticket);
    return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
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
