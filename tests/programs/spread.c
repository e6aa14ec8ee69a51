/* spread — argv[1] CPU-bound threads (default 4, at most 8), created on the
 * first thread's CPU (a new thread starts on its creator's CPU, unpinned),
 * spin and write the CPU they run on, over and over. The first thread
 * checks every millisecond whether they all run on different CPUs at once;
 * it prints how long that took ("spread: N threads on N CPUs after U us")
 * and exits 0, or 1 when they did not spread within 5 s, 2 when a thread
 * could not be created. With argv[2] "us" it exits with the microseconds
 * instead (make bench; -1 when they did not spread). Started with spawn_on, the first thread is pinned,
 * so only the balancer moves the spinners. */
#include "sys.h"

#define THREADS_MAX  8
#define GIVE_UP_NS   (5ull * 1000 * 1000 * 1000)
#define LOOK_EVERY_NS (1000 * 1000)

static volatile long cpu_of[THREADS_MAX];
static volatile int stop;

static int spinner(void *arg)
{
    long i = (long)arg;
    while (!stop)
        cpu_of[i] = cpu();
    return 0;
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

/* Every spinner has written a CPU, and no two the same. */
static int all_apart(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        if (cpu_of[i] < 0)
            return 0;
        for (uint64_t j = 0; j < i; j++)
            if (cpu_of[i] == cpu_of[j])
                return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t n = sys_number(argc > 1 ? argv[1] : NULL, 4);
    if (n > THREADS_MAX)
        n = THREADS_MAX;
    long tids[THREADS_MAX];
    for (uint64_t i = 0; i < n; i++)
        cpu_of[i] = -1;
    uint64_t start = time();
    for (uint64_t i = 0; i < n; i++)
        if ((tids[i] = thread_create(spinner, (void *)(long)i)) < 0)
            return 2;
    uint64_t took = 0;
    int apart = 0;
    while (!apart && took < GIVE_UP_NS) {
        sleep(LOOK_EVERY_NS);
        apart = all_apart(n);
        took = time() - start;
    }
    stop = 1;
    for (uint64_t i = 0; i < n; i++)
        thread_join(tids[i]);
    say("spread: ");
    say_number(n);
    say(apart ? " threads on as many CPUs after " : " threads still share CPUs after ");
    say_number(took / 1000);
    say(" us\n");
    if (argc > 2 && sys_streq(argv[2], "us"))
        return apart ? (int)(took / 1000) : -1;
    return apart ? 0 : 1;
}
