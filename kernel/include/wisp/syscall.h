/* syscall.h — the gate's system-call numbers and error codes.
 *
 * Shared by the kernel (kernel/proc/syscall.c) and user programs (the SDK's
 * stubs): plain #defines, no kernel types. Calling convention (SYSCALL):
 * rax = number, arguments in rdi, rsi, rdx, r10, r8, r9; the result comes
 * back in rax, a negative SYS_E* on error. rcx and r11 are clobbered by the
 * instruction itself; the gate also zeroes rdi, rsi, rdx, r8, r9, r10 on the
 * way out so no kernel value leaks. See docs/PROCESSES.md.
 */
#pragma once

/* Numbers (#defines, so assembly and the SDK's stubs use them too). */
#define SYS_EXIT   0 /* exit(int status): does not return */
#define SYS_SPAWN  1 /* spawn(const char *name, size_t len, const char **argv, size_t argc) -> pid */
#define SYS_WAIT   2 /* wait(long pid, int *status) -> 0 */
#define SYS_SLEEP  3 /* sleep(uint64_t ns) -> 0 */
#define SYS_TIME   4 /* time() -> ns since boot */
#define SYS_WRITE  5 /* write(const char *buf, size_t len) -> len (console) */
#define SYS_READ   6 /* read(char *buf, size_t len) -> bytes (console; blocks for >= 1) */
#define SYS_YIELD  7 /* yield() -> 0 */
#define SYS_GETPID 8 /* getpid() -> pid */
#define SYS_NULL   9 /* null() -> 0: measures the gate */
#define SYS_COUNT  10

/* Errors, returned negated. */
#define SYS_ENOENT  2  /* no such program */
#define SYS_ENOEXEC 8  /* the program does not load (reason in the kernel log) */
#define SYS_ECHILD  10 /* no such child of the caller */
#define SYS_ENOMEM  12
#define SYS_EFAULT  14 /* a pointer outside the user half, or not mapped */
#define SYS_EINVAL  22
#define SYS_ENOSYS  38 /* no such system call */

/* Exit status of a process ended by a fault: 128 + the exception vector
 * (page fault 142, general protection 141, invalid opcode 134). */
#define SYS_EXIT_FAULT_BASE 128
