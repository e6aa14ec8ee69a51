/* kcov.c — kernel code coverage for a fuzzer in user mode (the gate
 * function kcov, SYS_KCOV), in the spirit of Linux's kcov.
 *
 * Debug builds compile the code behind the gate (kernel/proc, kernel/mm,
 * the module loader: kernel/build.mk's KCOV_C) with
 * -fsanitize-coverage=trace-pc: the compiler calls
 * __sanitizer_cov_trace_pc at the start of every basic block. A thread
 * that enabled kcov gets the return address of each such call — a kernel
 * PC — appended to its own buffer while it runs in thread context (not in
 * interrupt handlers, whose code is not the caller's); kcov(KCOV_TAKE)
 * copies them to the caller and empties the buffer. Nothing else reads or
 * writes a thread's buffer, so it needs no lock; it is freed with the
 * thread (kcov_thread_free).
 *
 * kcov(mode, buf, max):
 *   KCOV_OFF   stops collecting and frees the buffer: 0
 *   KCOV_ON    starts collecting into an empty buffer of max PCs
 *              (1..KCOV_MAX_PCS): 0; -EINVAL otherwise
 *   KCOV_TAKE  copies up to max PCs (uint64_t each) to buf and empties
 *              the buffer: the number copied (PCs beyond the buffer's
 *              size were dropped); -EINVAL when off, -EFAULT for buf
 * Release builds have no instrumentation: every mode is -ENOSYS.
 *
 * This file is not instrumented itself (the hook must not recurse).
 */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/mm.h>

struct kcov_buffer {
    uint32_t size, count;
    uint64_t pcs[];
};

static unsigned kcov_threads; /* threads collecting (atomic): the hook's fast path */

void __sanitizer_cov_trace_pc(void);
void __sanitizer_cov_trace_pc(void)
{
    if (!__atomic_load_n(&kcov_threads, __ATOMIC_RELAXED))
        return;
    struct cpu *c = this_cpu();
    struct thread *t = c->current;
    struct kcov_buffer *k = t ? t->kcov : NULL;
    if (!k || c->irq_depth)
        return;
    uint32_t n = k->count;
    if (n < k->size) {
        k->pcs[n] = (uint64_t)__builtin_return_address(0);
        k->count = n + 1;
    }
}

void kcov_thread_free(struct thread *t)
{
    if (!t->kcov)
        return;
    kfree(t->kcov);
    t->kcov = NULL;
    __atomic_fetch_sub(&kcov_threads, 1, __ATOMIC_RELAXED);
}

long sys_kcov(long mode, long buf, long max)
{
#ifdef WISP_DEBUG
    struct thread *t = current_thread();
    struct kcov_buffer *k = t->kcov;
    switch (mode) {
    case SYS_KCOV_OFF:
        kcov_thread_free(t);
        return 0;
    case SYS_KCOV_ON: {
        if (max < 1 || max > SYS_KCOV_MAX_PCS)
            return -SYS_EINVAL;
        struct kcov_buffer *fresh = kmalloc(sizeof(*fresh) + (size_t)max * 8);
        if (!fresh)
            return -SYS_ENOMEM;
        fresh->size = (uint32_t)max;
        fresh->count = 0;
        kcov_thread_free(t);
        t->kcov = fresh;
        __atomic_fetch_add(&kcov_threads, 1, __ATOMIC_RELAXED);
        return 0;
    }
    case SYS_KCOV_TAKE: {
        if (!k)
            return -SYS_EINVAL;
        if (max < 0)
            return -SYS_EINVAL;
        uint32_t n = k->count < (uint64_t)max ? k->count : (uint32_t)max;
        /* the copy's own PCs (a page-in) go after the n copied, then go */
        long result =
            n && copy_to_user((void *)buf, k->pcs, (size_t)n * 8) != 0 ? -SYS_EFAULT : (long)n;
        k->count = 0;
        return result;
    }
    default:
        return -SYS_EINVAL;
    }
#else
    (void)mode, (void)buf, (void)max;
    return -SYS_ENOSYS;
#endif
}
