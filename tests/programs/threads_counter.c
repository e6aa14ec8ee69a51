/* threads_counter — argv[1] threads (default 4) each add 1 to a shared
 * counter argv[2] times (default 100000) under the SDK mutex, sleeping
 * 100 us with the lock held every 4096 rounds (so that the others find it
 * held: the critical section is otherwise too short to be contended). Exits 0
 * when the total is exact, every thread_join returned its thread's
 * status and the mutex's slow path slept at least once (with 2 threads or
 * more and 100000 rounds or more); 1, 2, 3 or 4 otherwise (see below). */
#include "sys.h"
#include <wisp/mutex.h>

#define THREADS_MAX 15

static struct wisp_mutex lock = WISP_MUTEX_INIT;
static uint64_t counter; /* under lock */
static uint64_t rounds;

static int worker(void *arg)
{
    for (uint64_t i = 0; i < rounds; i++) {
        wisp_mutex_lock(&lock);
        counter++;
        if (i % 4096 == 0) /* the others find the lock held */
            sleep(100 * 1000);
        wisp_mutex_unlock(&lock);
    }
    return 10 + (int)(long)arg;
}

static void say(const char *s) { write(s, raw_strlen(s)); }

static void say_number(uint64_t n)
{
    char buf[24];
    int i = (int)sizeof(buf);
    do
        buf[--i] = (char)('0' + n % 10);
    while ((n /= 10) && i > 0);
    write(buf + i, sizeof(buf) - (size_t)i);
}

int main(int argc, char **argv)
{
    uint64_t threads = sys_number(argc > 1 ? argv[1] : NULL, 4);
    rounds = sys_number(argc > 2 ? argv[2] : NULL, 100000);
    if (threads > THREADS_MAX)
        threads = THREADS_MAX;
    long tids[THREADS_MAX];
    for (uint64_t i = 0; i < threads; i++) {
        tids[i] = thread_create(worker, (void *)(long)i);
        if (tids[i] < 0)
            return 3;
    }
    int result = 0;
    for (uint64_t i = 0; i < threads; i++)
        if (thread_join(tids[i]) != 10 + (long)i)
            result = 2;
    if (counter != threads * rounds)
        result = 1;
    else if (threads > 1 && rounds >= 100000 && lock.waits == 0)
        result = 4;
    say("threads_counter: ");
    say_number(threads);
    say(" threads x ");
    say_number(rounds);
    say(": total ");
    say_number(counter);
    say(", futex waits ");
    say_number(lock.waits);
    say("\n");
    return result;
}
