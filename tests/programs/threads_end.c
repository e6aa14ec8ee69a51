/* threads_end MODE — how a process with several threads ends. Threads
 * wait in futex_wait (no timeout), in sleep, and spin in user mode; then
 *   exit:  one more waits for a child that sleeps 5 s; the first thread
 *          calls exit(7): the process ends with 7 at once
 *   fault: a fourth thread writes to address 0: it ends with the fault
 *   kill:  the first thread waits too, until the test kills the process
 *   last:  the first thread calls thread_exit(1); the futex waiter is
 *          woken and the others have ended: the last one, returning 9,
 *          ends the process with 9 */
#include "sys.h"

#define UNMAPPED 0x1000ul /* below the image: never mapped */

static uint32_t word;    /* futex_wait on it while it is 0 */
static uint32_t stop;    /* "last": the sleeper and the spinner end */
static uint32_t started; /* threads running */

static int waits(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
        futex_wait(&word, 0, 0);
    sleep(20 * 1000 * 1000); /* the last to end */
    return 9;
}

static int sleeps(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_RELAXED);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
        sleep(1000 * 1000);
    return 2;
}

static int spins(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_RELAXED);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    return 3;
}

static int waits_for_child(void *arg)
{
    int status;
    return (int)wait((long)arg, &status);
}

static int faults(void *arg)
{
    (void)arg;
    sleep(10 * 1000 * 1000);
    *(volatile int *)UNMAPPED = 1;
    return 4;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "exit";
    if (thread_create(waits, 0) < 0 || thread_create(sleeps, 0) < 0 || thread_create(spins, 0) < 0)
        return 100;
    while (__atomic_load_n(&started, __ATOMIC_RELAXED) < 3)
        yield();
    sleep(10 * 1000 * 1000);
    if (mode[0] == 'e') {
        const char *argv[] = { "sleeper", "5000" };
        long child = spawn("sleeper", 7, argv, 2);
        if (child <= 0 || thread_create(waits_for_child, (void *)child) <= 0)
            return 101;
        sleep(10 * 1000 * 1000);
        exit(7);
    }
    if (mode[0] == 'f') {
        thread_create(faults, 0);
        for (;;)
            futex_wait(&stop, 0, 0);
    }
    if (mode[0] == 'k')
        for (;;)
            futex_wait(&stop, 0, 0);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&word, 1, __ATOMIC_RELEASE);
    futex_wake(&word, 1);
    thread_exit(1);
}
