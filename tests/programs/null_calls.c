/* null_calls — 100000 null system calls; exits with the cycles per call. */
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
        raw_syscall(SYS_NULL, 0, 0, 0, 0);
    return (int)((rdtsc() - start) / 100000);
}
