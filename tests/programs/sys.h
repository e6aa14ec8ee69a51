/* sys.h — helpers of the test programs: the ghost functions (<ghost.h>),
 * a string length, and raw_syscall for the tests of the gate itself (a
 * system call from outside the ghost stubs ends the process).
 *
 * The gate returns in rax and zeroes rdi, rsi, rdx, r8, r9 and r10 on the
 * way out; SYSCALL itself clobbers rcx and r11. */
#pragma once
#include <ghost.h>
#include <wisp/syscall.h>

static inline long raw_syscall(long number, long a, long b, long c, long d)
{
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall"
                     : "+a"(number), "+D"(a), "+S"(b), "+d"(c), "+r"(r10)
                     :
                     : "rcx", "r11", "r8", "r9", "memory");
    return number;
}

static inline size_t raw_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* a and b hold the same string. */
static inline int sys_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The number that the decimal digits at the start of s make (0 for none),
 * or otherwise when s is NULL (an argument not given). */
static inline uint64_t sys_number(const char *s, uint64_t otherwise)
{
    if (!s)
        return otherwise;
    uint64_t n = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        n = n * 10 + (uint64_t)(*s - '0');
    return n;
}

/* The TSC, not read ahead of earlier instructions (the benchmarks' clock,
 * as tests/bench/linux/lbench.c reads it). */
static inline uint64_t sys_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}
