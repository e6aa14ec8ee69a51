/* ghost_bench — cycles per call of one kind of call, argv[1]: "direct" (a
 * function of the program), "user" (clock_ns: PLT, trampoline, ghost code
 * in user mode), "gate" (null: PLT, trampoline, gate stub, pinned gate),
 * "module" (counter_read: the same, then the export's slot and counter's
 * dispatch thunk). Exits with hundredths of a cycle per call (the median
 * of 5 rounds; per round 200000 direct calls or 100000 of the others, the
 * counts of tests/bench/linux/lbench.c's direct calls and system calls).
 *
 * "scale T": T threads (at most 8; the kernel places each on the least
 * loaded CPU) call counter_read SCALE_CALLS times each, all at once;
 * exits with the thousands of calls per second they made together: all
 * their calls over the time from the start signal to the last one's end. */
#include "sys.h"

#define DIRECT_CALLS 200000
#define GHOST_CALLS  100000
#define ROUNDS       5

__attribute__((noinline)) static uint64_t direct(void)
{
    __asm__ volatile("");
    return 1;
}

#define SCALE_CALLS   100000
#define SCALE_THREADS 8

static volatile uint32_t go;
static uint64_t thread_end[SCALE_THREADS]; /* clock_ns at each thread's last call */

static int scale_thread(void *slot)
{
    while (!go)
        ;
    volatile uint64_t sink = 0;
    for (long i = 0; i < SCALE_CALLS; i++)
        sink += counter_read();
    (void)sink;
    thread_end[(long)slot] = clock_ns();
    return 0;
}

static int scale(uint64_t threads)
{
    long tids[SCALE_THREADS];
    if (threads < 1 || threads > SCALE_THREADS)
        return -1;
    for (uint64_t i = 1; i < threads; i++)
        if ((tids[i] = thread_create(scale_thread, (void *)i)) <= 0)
            return -1;
    uint64_t start = clock_ns();
    go = 1;
    scale_thread(0);
    uint64_t last = thread_end[0];
    for (uint64_t i = 1; i < threads; i++) {
        thread_join(tids[i]);
        last = thread_end[i] > last ? thread_end[i] : last;
    }
    return (int)(threads * SCALE_CALLS * 1000000ull / (last - start + 1)); /* k/s */
}

int main(int argc, char **argv)
{
    char kind = argc > 1 ? argv[1][0] : 'd';
    if (kind == 's')
        return scale(argc > 2 ? (uint64_t)(argv[2][0] - '0') : 1);
    uint64_t (*fn)(void) = kind == 'u'   ? clock_ns
                           : kind == 'g' ? (uint64_t(*)(void))null
                           : kind == 'm' ? counter_read
                                         : direct;
    long calls = fn == direct ? DIRECT_CALLS : GHOST_CALLS;
    uint64_t rounds[ROUNDS];
    volatile uint64_t sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = sys_rdtsc();
        for (long i = 0; i < calls; i++)
            sink += fn();
        rounds[r] = (sys_rdtsc() - start) * 100 / (uint64_t)calls;
    }
    for (int i = 1; i < ROUNDS; i++) /* insertion sort: the median */
        for (int k = i; k > 0 && rounds[k] < rounds[k - 1]; k--) {
            uint64_t t = rounds[k];
            rounds[k] = rounds[k - 1];
            rounds[k - 1] = t;
        }
    (void)sink;
    return (int)rounds[ROUNDS / 2];
}
