/* forever — timeouts near 2^64 mean "forever": futex_wait, receive and
 * sleep with such a timeout block (the kernel saturates the deadline
 * instead of wrapping it into the past) until woken, sent to, or ended.
 * Exits 0, or the number of the first check that failed. */
#include "sys.h"

static uint32_t word = 5;
static long futex_result = 1, receive_result = 1, sleep_result = 1;
static struct sys_message message;

static int waits(void *arg)
{
    (void)arg;
    __atomic_store_n(&futex_result, futex_wait(&word, 5, UINT64_MAX), __ATOMIC_RELEASE);
    return 0;
}

static int receives(void *arg)
{
    (void)arg;
    __atomic_store_n(&receive_result, receive(&message, UINT64_MAX - 1000), __ATOMIC_RELEASE);
    return 0;
}

static int sleeps(void *arg)
{
    (void)arg;
    __atomic_store_n(&sleep_result, sleep(UINT64_MAX), __ATOMIC_RELEASE);
    return 0;
}

static long result(long *r) { return __atomic_load_n(r, __ATOMIC_ACQUIRE); }

int main(void)
{
    int n = 0;
    long waiter = thread_create(waits, 0);
    long receiver = thread_create(receives, 0);
    long sleeper = thread_create(sleeps, 0);
    if (++n, waiter < 0 || receiver < 0 || sleeper < 0)
        return n;
    sleep(50 * 1000 * 1000); /* before the fix each returned within 100 us */
    if (++n, result(&futex_result) != 1)
        return n;
    if (++n, result(&receive_result) != 1)
        return n;
    if (++n, result(&sleep_result) != 1)
        return n;
    /* woken and sent to, the first two return normally */
    while (futex_wake(&word, 1) == 0)
        yield();
    if (++n, thread_join(waiter) != 0 || result(&futex_result) != 0)
        return n;
    if (++n, send(getpid(), 77) != 0)
        return n;
    if (++n, thread_join(receiver) != 0 || result(&receive_result) != 0 || message.value != 77)
        return n;
    if (++n, result(&sleep_result) != 1) /* still asleep; exit ends it */
        return n;
    return 0;
}
