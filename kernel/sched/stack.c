/* stack.c — how deep kernel thread stacks go (debug builds).
 *
 * Two figures. The exact one: each stack is painted when handed out
 * (kstack.c), and a thread's high-water mark is the part no longer
 * painted; the deepest mark of any thread, alive or ended, is kept with
 * its thread's name. The path: the scheduler tick samples the interrupted
 * kernel code's depth (1 kHz on every CPU) and, when a sample is the
 * deepest so far, keeps its call chain (the frame-pointer chain, within
 * the stack), so the report can say which calls went that deep.
 *
 * depth_lock (a leaf, IRQ-safe: the tick takes it) protects both records.
 */
#include "sched_internal.h"
#include <wisp/ksyms.h>
#include <wisp/printk.h>
#include <string.h>

#define PATH_FRAMES 24

static struct spinlock depth_lock = SPINLOCK_INIT("stack-depth");
static struct {
    size_t bytes;
    char thread[THREAD_NAME_MAX];
} deepest; /* depth_lock */
static struct {
    size_t bytes; /* read without the lock first, as a hint */
    char thread[THREAD_NAME_MAX];
    uint64_t path[PATH_FRAMES]; /* innermost first */
    unsigned frames;
} sampled __unused; /* depth_lock; debug builds */

static void record(size_t bytes, const char *thread)
{
    uint64_t flags = spin_lock_irqsave(&depth_lock);
    if (bytes > deepest.bytes) {
        deepest.bytes = bytes;
        strlcpy(deepest.thread, thread, sizeof(deepest.thread));
    }
    spin_unlock_irqrestore(&depth_lock, flags);
}

void sched_stack_retire(struct thread *t)
{
    if (t->stack)
        record(kstack_high_water(t->stack), t->name);
}

size_t sched_stack_high_water(const struct thread *t)
{
    return t->stack ? kstack_high_water(t->stack) : 0;
}

void sched_stack_sample(const struct trap_frame *f)
{
#ifdef WISP_DEBUG
    struct thread *t = current_thread();
    uint64_t bottom = (uint64_t)t->stack, top = bottom + THREAD_STACK_SIZE;
    if ((f->cs & 3) || !t->stack || f->rsp < bottom || f->rsp >= top)
        return; /* user mode, an idle thread's boot stack, or an IST stack */
    size_t bytes = top - f->rsp;
    if (bytes <= __atomic_load_n(&sampled.bytes, __ATOMIC_RELAXED))
        return;
    uint64_t flags = spin_lock_irqsave(&depth_lock);
    if (bytes > sampled.bytes) {
        __atomic_store_n(&sampled.bytes, bytes, __ATOMIC_RELAXED);
        strlcpy(sampled.thread, t->name, sizeof(sampled.thread));
        unsigned n = 0;
        sampled.path[n++] = f->rip;
        /* each frame: saved rbp, return address; only within this stack */
        for (uint64_t rbp = f->rbp;
             n < PATH_FRAMES && rbp >= f->rsp && rbp + 16 <= top && !(rbp & 7);) {
            const uint64_t *frame = (const uint64_t *)rbp;
            if (!frame[1])
                break;
            sampled.path[n++] = frame[1] - 1; /* inside the call */
            if (frame[0] <= rbp)
                break;
            rbp = frame[0];
        }
        sampled.frames = n;
    }
    spin_unlock_irqrestore(&depth_lock, flags);
#else
    (void)f;
#endif
}

static __unused void live_high_water(struct thread *t, void *arg) /* debug builds */
{
    (void)arg;
    sched_stack_retire(t); /* records it as if it ended now */
}

void sched_stack_report(void)
{
#ifdef WISP_DEBUG
    thread_for_each(live_high_water, NULL);
    uint64_t flags = spin_lock_irqsave(&depth_lock);
    size_t bytes = deepest.bytes, path_bytes = sampled.bytes;
    char thread[THREAD_NAME_MAX], path_thread[THREAD_NAME_MAX];
    uint64_t path[PATH_FRAMES];
    unsigned frames = sampled.frames;
    strlcpy(thread, deepest.thread, sizeof(thread));
    strlcpy(path_thread, sampled.thread, sizeof(path_thread));
    memcpy(path, sampled.path, sizeof(path));
    spin_unlock_irqrestore(&depth_lock, flags);
    kprintf("# stack: deepest %zu of %u bytes (thread %s); deepest sampled path %zu bytes "
            "(thread %s), innermost first:\n",
            bytes, THREAD_STACK_SIZE, bytes ? thread : "none", path_bytes,
            path_bytes ? path_thread : "none");
    char sym[96];
    for (unsigned i = 0; i < frames; i++) {
        ksyms_format(path[i], sym, sizeof(sym));
        kprintf("# stack:   %s\n", sym);
    }
#else
    kprintf("# stack: high-water marks are measured in debug builds only\n");
#endif
}
