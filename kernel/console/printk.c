/* printk.c — kernel log output to the serial console (see printk.h). */
#include <wisp/printk.h>
#include <wisp/serial.h>
#include <wisp/format.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <ck_spinlock.h>

/* Protects the UART transmit path so that one line goes out whole. */
static ck_spinlock_fas_t console_lock = CK_SPINLOCK_FAS_INITIALIZER;
static bool lock_broken;

void console_break_lock(void) { lock_broken = true; }

static void console_emit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc(COM1_PORT, '\r');
        serial_putc(COM1_PORT, s[i]);
    }
}

void console_write(const char *s, size_t n)
{
    if (lock_broken) {
        console_emit(s, n);
        return;
    }
    uint64_t flags = irq_save();
    ck_spinlock_fas_lock(&console_lock);
    console_emit(s, n);
    ck_spinlock_fas_unlock(&console_lock);
    irq_restore(flags);
}

void kvprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
    console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void klog(const char *fmt, ...)
{
    char buf[512];
    uint64_t ns = clock_ns();
    int n = ksnprintf(buf, sizeof(buf), "[%5lu.%06lu] cpu%u: ", ns / NSEC_PER_SEC,
                      ns % NSEC_PER_SEC / 1000, cpu_id());
    va_list ap;
    va_start(ap, fmt);
    n += kvsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
    va_end(ap);
    console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}
