/* futex_args — bad arguments of futex_wait, futex_wake, thread_create and
 * thread_join return errors (and end nothing); the timeout works. Exits 0,
 * or the number of the first check that failed. */
#include "sys.h"

static uint32_t word = 5;

static int returns(void *arg) { return (int)(long)arg; }

/* Waits for child (long)arg: 0 with its status 0, or what went wrong. */
static int waits_for(void *arg)
{
    int status = -1;
    long r = wait((long)arg, &status);
    return r ? (int)r : status;
}

int main(void)
{
    uint32_t *kernel = (uint32_t *)0xffffffff80000000ul;
    uint32_t *unmapped = (uint32_t *)0x0000700000000000ul;
    uint32_t *above = (uint32_t *)0x00007ffffffff000ul;
    uint32_t *odd = (uint32_t *)((char *)&word + 1);
    int n = 0;
    if (++n, futex_wait(odd, 5, 0) != -SYS_EINVAL)
        return n;
    if (++n, futex_wait(kernel, 0, 0) != -SYS_EFAULT)
        return n;
    if (++n, futex_wait(unmapped, 0, 0) != -SYS_EFAULT)
        return n;
    if (++n, futex_wait(above, 0, 0) != -SYS_EFAULT)
        return n;
    if (++n, futex_wait(&word, 6, 0) != -SYS_EAGAIN)
        return n;
    uint64_t start = clock_ns();
    if (++n, futex_wait(&word, 5, 5 * 1000 * 1000) != -SYS_ETIMEDOUT)
        return n;
    if (++n, clock_ns() - start < 5 * 1000 * 1000)
        return n;
    if (++n, futex_wake(odd, 1) != -SYS_EINVAL)
        return n;
    if (++n, futex_wake(kernel, 1) != -SYS_EFAULT)
        return n;
    if (++n, futex_wake(unmapped, 1) != -SYS_EFAULT)
        return n;
    if (++n, futex_wake(&word, 1) != 0)
        return n;
    if (++n, thread_create((int (*)(void *))kernel, 0) != -SYS_EFAULT)
        return n;
    if (++n, thread_join(0) != -SYS_ESRCH || thread_join(1) != -SYS_ESRCH ||
                 thread_join(12345) != -SYS_ESRCH)
        return n;
    long tids[16];
    int made = 0;
    for (; made < 16; made++)
        if ((tids[made] = thread_create(returns, (void *)(long)made)) < 0)
            break;
    if (++n, made != 15 || tids[15] != -SYS_EAGAIN)
        return n;
    for (int i = 0; i < made; i++)
        if (++n, thread_join(tids[i]) != i)
            return n;
    if (++n, thread_join(tids[0]) != -SYS_ESRCH) /* joined already */
        return n;
    /* two threads wait for one child: one collects it, the other is told
     * it is no (more a) child of theirs */
    const char *argv[] = { "sleeper", "100" };
    long child = spawn("sleeper", 7, argv, 2);
    long waiter = child > 0 ? thread_create(waits_for, (void *)child) : -1;
    int status = 0;
    sleep(20 * 1000 * 1000);
    if (++n, child <= 0 || waiter <= 0 || wait(child, &status) != -SYS_ECHILD)
        return n;
    if (++n, thread_join(waiter) != 0)
        return n;
    return 0;
}
