/* kconsole.c — the minimal kernel console on COM1.
 *
 * Input arrives by interrupt (IRQ 4 → ring buffer → wait queue); one
 * console thread reads lines with echo and backspace, and runs commands.
 * It is replaced by the user-space shell later and then stays only as a
 * debug monitor. */
#include <wisp/kconsole.h>
#include <wisp/printk.h>
#include <wisp/serial.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>
#include <wisp/apic.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <string.h>

#define INPUT_SIZE 256
/* Single producer (the UART interrupt), single consumer (console thread). */
static char input[INPUT_SIZE];
static volatile unsigned input_head, input_tail;
static struct wait_queue input_wq = WAIT_QUEUE_INIT(input_wq);

static void uart_irq(struct trap_frame *f __unused)
{
    int c;
    while ((c = serial_getc(COM1_PORT)) >= 0) {
        unsigned next = (input_head + 1) % INPUT_SIZE;
        if (next != input_tail) {       /* full: drop the byte */
            input[input_head] = (char)c;
            __atomic_store_n(&input_head, next, __ATOMIC_RELEASE);
        }
    }
    wake_up_one(&input_wq);
}

static bool input_ready(void *arg __unused)
{
    return __atomic_load_n(&input_head, __ATOMIC_ACQUIRE) != input_tail;
}

static char console_getc(void)
{
    wait_queue_wait(&input_wq, input_ready, NULL);
    char c = input[input_tail];
    __atomic_store_n(&input_tail, (input_tail + 1) % INPUT_SIZE, __ATOMIC_RELEASE);
    return c;
}

static size_t read_line(char *buf, size_t size)
{
    size_t n = 0;
    for (;;) {
        char c = console_getc();
        if (c == '\r' || c == '\n') {
            kprintf("\n");
            buf[n] = 0;
            return n;
        }
        if ((c == 0x7f || c == '\b') && n) {
            n--;
            kprintf("\b \b");
        } else if (c >= 0x20 && c < 0x7f && n + 1 < size) {
            buf[n++] = c;
            kprintf("%c", c);
        }
    }
}

static void cmd_help(void)
{
    kprintf("commands:\n"
            "  help     this list\n"
            "  cpus     CPUs online, timer ticks, current thread\n"
            "  mem      physical memory and heap use\n"
            "  threads  every thread with its CPU and state\n"
            "  uptime   time since boot\n"
            "  reboot   restart the machine\n");
}

static void cmd_cpus(void)
{
    kprintf("%u CPUs online\n", cpu_count);
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        kprintf("  cpu%u  apic %u  %s  ticks %lu  running %s\n", c->id, c->apic_id,
                c->online ? "online" : "offline", c->ticks,
                c->current ? thread_name(c->current) : "-");
    }
}

static void cmd_mem(void)
{
    mm_print_stats();
}

static const char *const state_names[] = { "runnable", "running", "blocked", "dead" };

static void print_thread(struct thread *t, void *arg __unused)
{
    kprintf("  %4u  cpu%-2d  %-8s  %-20s  %lu switches\n", t->id, t->cpu,
            state_names[t->state], t->name, t->switches);
}

static void cmd_threads(void)
{
    kprintf("    id  cpu    state     name                  \n");
    thread_for_each(print_thread, NULL);
}

static void cmd_uptime(void)
{
    uint64_t ms = clock_ns() / NSEC_PER_MSEC;
    kprintf("up %lu.%03lu s\n", ms / 1000, ms % 1000);
}

static __noreturn void cmd_reboot(void)
{
    kprintf("rebooting\n");
    outb(0x64, 0xfe);       /* keyboard controller: pulse the reset line */
    for (;;)
        cpu_halt();
}

static const struct {
    const char *name;
    void (*fn)(void);
} commands[] = {
    { "help", cmd_help }, { "cpus", cmd_cpus }, { "mem", cmd_mem },
    { "threads", cmd_threads }, { "uptime", cmd_uptime }, { "reboot", cmd_reboot },
};

__noreturn void kconsole_run(void)
{
    irq_register(VEC_IRQ_BASE + 4, uart_irq);
    ioapic_route_isa(4, VEC_IRQ_BASE + 4, cpus[0].apic_id);
    serial_enable_rx_irq(COM1_PORT);
    kprintf("Type 'help' for commands.\n");
    char line[128];
    for (;;) {
        kprintf("wisp> ");
        if (!read_line(line, sizeof(line)))
            continue;
        bool found = false;
        for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
            if (strcmp(line, commands[i].name) == 0) {
                commands[i].fn();
                found = true;
            }
        }
        if (!found)
            kprintf("unknown command: %s (try help)\n", line);
    }
}
