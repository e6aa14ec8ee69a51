/* sys.h — raw system calls for the test programs that must stay low level
 * (they test the gate itself). Ordinary programs call the ghost functions
 * of <ghost.h> instead.
 *
 * The gate returns in rax and zeroes rdi, rsi, rdx, r8, r9 and r10 on the
 * way out; SYSCALL itself clobbers rcx and r11. */
#pragma once
#include <stddef.h>
#include <stdint.h>
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

static inline __attribute__((noreturn)) void raw_exit(int status)
{
    raw_syscall(SYS_EXIT, status, 0, 0, 0);
    __builtin_unreachable();
}

static inline long raw_write(const char *buf, size_t len)
{
    return raw_syscall(SYS_WRITE, (long)buf, (long)len, 0, 0);
}

static inline size_t raw_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
