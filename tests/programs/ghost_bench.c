/* ghost_bench — cycles per call of one kind of call, argv[1]: "direct" (a
 * function of the program), "user" (clock_ns: PLT, trampoline, ghost code
 * in user mode), "gate" (null: PLT, trampoline, gate stub, pinned gate),
 * "module" (counter_read: the same, then the export's slot and counter's
 * dispatch thunk). Exits with hundredths of a cycle per call (the median
 * of 5 rounds; per round 200000 direct calls or 100000 of the others, the
 * counts of tests/bench/linux/lbench.c's direct calls and system calls). */
#include "sys.h"

#define DIRECT_CALLS 200000
#define GHOST_CALLS  100000
#define ROUNDS       5

__attribute__((noinline)) static uint64_t direct(void)
{
    __asm__ volatile("");
    return 1;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

int main(int argc, char **argv)
{
    char kind = argc > 1 ? argv[1][0] : 'd';
    uint64_t (*fn)(void) = kind == 'u'   ? clock_ns
                           : kind == 'g' ? (uint64_t(*)(void))null
                           : kind == 'm' ? counter_read
                                         : direct;
    long calls = fn == direct ? DIRECT_CALLS : GHOST_CALLS;
    uint64_t rounds[ROUNDS];
    volatile uint64_t sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = rdtsc();
        for (long i = 0; i < calls; i++)
            sink += fn();
        rounds[r] = (rdtsc() - start) * 100 / (uint64_t)calls;
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
