/* kcov_calls — the gate function kcov: a thread that turns it on gets the
 * kernel PCs of its own calls (kernel text addresses, more for a call
 * that does more), none of another thread's (its 5000 calls of cpu()); bad modes, sizes and buffers
 * are errors. Exits 0, or the number of the first check that failed. */
#include "sys.h"

#define KERNEL_TEXT 0xffffffff80000000ul

static uint64_t pcs[4096];

static long take(void) { return kcov(SYS_KCOV_TAKE, pcs, 4096); }

static int spins(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++)
        cpu();
    return 0;
}

int main(void)
{
    int n = 0;
    if (++n, kcov(SYS_KCOV_TAKE, pcs, 16) != -SYS_EINVAL) /* off */
        return n;
    if (++n, kcov(SYS_KCOV_ON, 0, 0) != -SYS_EINVAL || kcov(SYS_KCOV_ON, 0, 1 << 20) != -SYS_EINVAL)
        return n;
    if (++n, kcov(7, 0, 0) != -SYS_EINVAL)
        return n;
    if (++n, kcov(SYS_KCOV_ON, 0, 4096) != 0)
        return n;
    take();
    cpu(); /* sys_cpu: a leaf, nothing else calls it */
    long small = take();
    if (++n, small < 1 || small > 64)
        return n;
    uint64_t cpu_pcs[64];
    for (long i = 0; i < small; i++)
        cpu_pcs[i] = pcs[i];
    long outside = 0;
    for (long i = 0; i < small; i++)
        outside += pcs[i] < KERNEL_TEXT;
    if (++n, outside)
        return n;
    struct sys_process_record records[4];
    process_list(records, 0, 4); /* takes a lock, walks a list, copies out */
    long bigger = take();
    if (++n, bigger <= small)
        return n;
    /* another thread's calls are not this one's */
    long tid = thread_create(spins, 0);
    if (++n, tid <= 0 || thread_join(tid) != 0)
        return n;
    long theirs = 0, mine = take(); /* create and join; none of its cpu() */
    for (long i = 0; i < mine; i++)
        for (long k = 0; k < small; k++)
            theirs += pcs[i] == cpu_pcs[k];
    if (++n, mine < 1 || theirs)
        return n;
    getpid(); /* something to copy */
    if (++n, kcov(SYS_KCOV_TAKE, (uint64_t *)KERNEL_TEXT, 16) != -SYS_EFAULT)
        return n;
    if (++n, kcov(SYS_KCOV_TAKE, pcs, -1) != -SYS_EINVAL)
        return n;
    if (++n, kcov(SYS_KCOV_OFF, 0, 0) != 0 || take() != -SYS_EINVAL)
        return n;
    return 0;
}
