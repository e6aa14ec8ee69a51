/* null_calls — 100000 calls of the ghost function null() (a trampoline,
 * the gate stub, the gate); exits with the cycles per call. */
#include "sys.h"

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

int main(void)
{
    uint64_t start = rdtsc();
    for (int i = 0; i < 100000; i++)
        null();
    return (int)((rdtsc() - start) / 100000);
}
