/* percpu.h (host shim) — what rcu/rcu.h needs from the kernel's percpu.h,
 * for compiling Wisp's read path into a host benchmark.
 *
 * In the kernel a CPU's record is used only by that CPU with preemption
 * off. On the host each benchmark thread plays one CPU: this_cpu() is a
 * thread-local struct cpu whose id the thread sets once (shim_cpu_enter),
 * and preempt_disable/enable touch a thread-local counter, the cost the
 * kernel pays with `incl %gs:32` (a user thread cannot stop the host from
 * preempting it, and needs not: no other thread shares its record).
 */
#pragma once
#include <wisp/compiler.h>

#define MAX_CPUS 16

struct cpu {
    int preempt_count;
    bool need_resched;
    uint32_t id;
};

extern __thread struct cpu shim_cpu;

static inline struct cpu *this_cpu(void) { return &shim_cpu; }
static inline unsigned cpu_id(void) { return this_cpu()->id; }

static inline void preempt_disable(void)
{
    shim_cpu.preempt_count++;
    barrier();
}

static inline void preempt_enable_slow(void) {}

static inline void preempt_enable(void)
{
    barrier();
    shim_cpu.preempt_count--;
    if (unlikely(shim_cpu.need_resched) && shim_cpu.preempt_count == 0)
        preempt_enable_slow();
}

static inline bool preemptible(void) { return shim_cpu.preempt_count == 0; }
