/* percpu.h — per-CPU data, reached through the GS base.
 *
 * Each CPU's GS base points at its struct cpu; `self` at offset 0 makes
 * this_cpu() a single `mov %gs:0`. The first fields have fixed offsets used
 * by assembly (gate entry and context switch): do not reorder them.
 */
#pragma once
#include <wisp/compiler.h>

#define MAX_CPUS 16

struct thread;

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __packed;

struct cpu {
    struct cpu *self;          /* offset 0 */
    uint64_t user_rsp_scratch; /* offset 8: gate entry saves the user rsp here */
    uint64_t kernel_stack_top; /* offset 16: gate entry switches to this stack */
    struct thread *current;    /* offset 24 */
    int preempt_count;         /* offset 32: > 0 forbids preemption on this CPU */
    int irq_depth;             /* nesting of interrupt handlers */
    bool need_resched;         /* set by timer/wakeup; honoured when preemptible */
    bool online;
    uint32_t id; /* dense index 0..cpu_count-1 */
    uint32_t apic_id;
    uint64_t ticks; /* timer interrupts taken on this CPU */
    uint64_t gdt[7];
    struct tss tss;
} __cacheline_aligned;

extern struct cpu cpus[MAX_CPUS];
extern unsigned cpu_count; /* CPUs found in the MADT */

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

static inline unsigned cpu_id(void) { return this_cpu()->id; }

/* Preemption control: sections nest; the last enable reschedules if asked. */
static inline void preempt_disable(void) { __asm__ volatile("incl %%gs:32" ::: "memory"); }

void preempt_enable_slow(void);

static inline void preempt_enable(void)
{
    __asm__ volatile("decl %%gs:32" ::: "memory");
    if (unlikely(this_cpu()->need_resched) && this_cpu()->preempt_count == 0)
        preempt_enable_slow();
}

/* Decrements without rescheduling (scheduler internals, interrupt return). */
static inline void preempt_enable_no_resched(void)
{
    __asm__ volatile("decl %%gs:32" ::: "memory");
}

static inline bool in_interrupt(void) { return this_cpu()->irq_depth > 0; }

static inline bool preemptible(void) { return this_cpu()->preempt_count == 0 && !in_interrupt(); }

void percpu_init_bsp(void);
void percpu_init(struct cpu *c, uint32_t id, uint32_t apic_id);
