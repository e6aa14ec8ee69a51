/* crit.h — critical sections: code that no other thread interrupts on
 * this CPU.
 *
 * crit_enter() disables preemption (interrupts stay on); sections nest and
 * the last crit_exit() reschedules if a reschedule became due. Use one to
 * touch per-CPU data without a lock. Inside, the thread must not sleep
 * (the validator reports it, naming where the section began); it excludes
 * nothing on other CPUs — for that, take a lock.
 */
#pragma once
#include <wisp/percpu.h>
#include <locks/lockdep.h>

/* The validator's pseudo-lock for sections (class "crit_section"). */
extern struct lock_dep crit_section_dep;

static __lock_inline void crit_enter(void)
{
    preempt_disable();
    lockdep_acquire(&crit_section_dep, LOCK_KIND_CRIT, 0);
}

static __lock_inline void crit_exit(void)
{
    if (!lockdep_release(&crit_section_dep, LOCK_KIND_CRIT, 0))
        return; /* no section open: reported */
    preempt_enable();
}

/* Section nesting on this CPU (0 outside), counting spinlocks too. */
static inline int crit_depth(void) { return this_cpu()->preempt_count; }
