/* panic.c — the end of the line for broken kernel invariants.
 *
 * Prints one block: the message, the CPU and thread, the registers (for
 * exceptions) and a symbolized backtrace; stops the other CPUs; then either
 * ends QEMU (test mode, so the driver sees a panic) or halts. */
#include <wisp/printk.h>
#include <wisp/percpu.h>
#include <wisp/trap.h>
#include <wisp/ksyms.h>
#include <wisp/cpu.h>
#include <wisp/apic.h>
#include <wisp/boot.h>
#include <wisp/format.h>
#include <wisp/sched.h>

static int panicking;

static __noreturn void panic_finish(void)
{
    kprintf("---[ end of panic ]---\n");
    if (boot_test_mode())
        qemu_exit(QEMU_EXIT_PANIC);
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}

static void panic_header(const char *fmt, va_list ap)
{
    char msg[256];
    irq_disable();
    if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST)) {
        /* A second CPU (or a fault inside panic): stop here quietly. */
        for (;;)
            cpu_halt();
    }
    console_break_lock();
    lapic_send_halt_to_others();
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    struct thread *t = this_cpu()->current;
    kprintf("\nPANIC on cpu%u (thread %s): %s\n", this_cpu()->id, t ? thread_name(t) : "boot", msg);
}

__noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_header(fmt, ap);
    va_end(ap);
    backtrace_print(0, (uint64_t)__builtin_frame_address(0), 32);
    panic_finish();
}

__noreturn void panic_with_frame(const struct trap_frame *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    panic_header(fmt, ap);
    va_end(ap);
    trap_dump(f);
    backtrace_print(f->rip, f->rbp, 32);
    panic_finish();
}
