/* printk.h — the kernel log on the serial console.
 *
 * Every log line starts with "[seconds.micro] cpuN " so that lines from
 * different CPUs can be ordered. Formatting happens into a buffer on the
 * caller's stack; the line goes out under one lock, so lines never interleave.
 * Safe from any context (IRQ-safe lock); the panic path bypasses the lock.
 */
#pragma once
#include <wisp/compiler.h>
#include <stdarg.h>

void kprintf(const char *fmt, ...) __printf(1, 2); /* raw, no prefix */
void kvprintf(const char *fmt, va_list ap);
void klog(const char *fmt, ...) __printf(1, 2); /* timestamped line */
void console_write(const char *s, size_t n);
/* Output from now on ignores the console lock (panic: other CPUs may hold it). */
void console_break_lock(void);

#define pr_info(...) klog(__VA_ARGS__)
#define pr_warn(...) klog("warning: " __VA_ARGS__)
#define pr_err(...)  klog("error: " __VA_ARGS__)

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond) \
    do { \
        if (unlikely(cond)) \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
    } while (0)
