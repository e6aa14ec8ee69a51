/* kconsole.c — the kernel monitor on COM1: a debug console.
 *
 * Input comes from the console driver module (modules/console), bound by
 * name through the symbol table; one console thread reads lines with echo
 * and backspace, and runs commands. Boot gives COM1 to the user-space
 * shell; the monitor runs instead with the kernel argument `monitor`, or
 * after the shell has ended (docs/PROCESSES.md, "Boot to the shell"). */
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
#include <wisp/process.h>
#include "modload/module.h"
#include "modload/module_manifest.h"
#include "modload/symtab.h"
#include <string.h>

/* The console's input comes from the console driver module, reached
 * through its symbol's slot (so a live update of the driver reaches us). */
static uint32_t getc_slot;

static char console_getc(void)
{
    int c;
    while ((c = ((int (*)(void))sym_slot_load(getc_slot))()) < 0)
        ; /* -1: ^C ended a foreground program; the monitor reads on */
    return (char)c;
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

extern const struct kconsole_command __kconsole_start[], __kconsole_end[];

static void cmd_help(void)
{
    kprintf("commands:\n");
    for (const struct kconsole_command *c = __kconsole_start; c < __kconsole_end; c++)
        kprintf("  %-8s %s\n", c->name, c->help);
    kprintf("  run NAME [ARG...]  start a program of the image in the background\n");
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

static void cmd_mem(void) { mm_print_stats(); }

static const char *const state_names[] = { "runnable", "running", "blocked", "dead" };

static void print_thread(struct thread *t, void *arg __unused)
{
    kprintf("  %4u  cpu%-2d  %-8s  %-20s  %6zu  %lu switches\n", t->id, t->cpu,
            state_names[t->state], t->name, sched_stack_high_water(t), t->switches);
}

static void cmd_threads(void)
{
    kprintf("    id  cpu    state     name                   stack\n");
    thread_for_each(print_thread, NULL);
    sched_stack_report();
}

static void cmd_uptime(void)
{
    uint64_t ms = clock_ns() / NSEC_PER_MSEC;
    kprintf("up %lu.%03lu s\n", ms / 1000, ms % 1000);
}

static __noreturn void cmd_reboot(void)
{
    kprintf("rebooting\n");
    outb(0x64, 0xfe); /* keyboard controller: pulse the reset line */
    for (;;)
        cpu_halt();
}

static void print_module(const struct module *m, void *arg __unused)
{
    kprintf("  %-16s %3u.%-3u %-9s %6lu KiB  %3u users  %3u exports  %lx\n", m->name,
            m->version >> 16, m->version & 0xffff, module_state_name(m->state), m->size / 1024,
            m->users, m->export_count, m->base);
}

static void cmd_lsmod(void)
{
    kprintf("  %-16s %7s %-9s %10s  %9s  %11s  %s\n", "module", "version", "state", "size", "users",
            "exports", "address");
    module_for_each(print_module, NULL);
    module_retiring_print();
    kprintf("module area: %lu pages in use\n", module_area_pages_used());
    const struct module_image_entry *e;
    unsigned n = module_image_entries(&e);
    for (unsigned i = 0; i < n; i++)
        if (!e[i].verified)
            kprintf("  %-16s refused at boot: %s\n", e[i].name, e[i].reason);
}

static void print_symbol(const struct symbol *s, void *arg __unused)
{
    kprintf("  %-28s %-12s %5u  %p  %u\n", s->name, s->owner ? s->owner->name : "core", s->slot,
            sym_slot_load(s->slot), s->bindings);
}

static void cmd_syms(void)
{
    kprintf("  %-28s %-12s %5s  %-18s  %s\n", "symbol", "module", "slot", "implementation",
            "bindings");
    sym_for_each(print_symbol, NULL);
    kprintf("%u symbols; slots at %lx\n", sym_count(), SYM_SLOTS_VA);
}

static void cmd_audit(void) { module_audit_print(); }

KCONSOLE_COMMAND("help", cmd_help, "this list");
KCONSOLE_COMMAND("cpus", cmd_cpus, "CPUs online, timer ticks, current thread");
KCONSOLE_COMMAND("mem", cmd_mem, "physical memory and heap use");
KCONSOLE_COMMAND("threads", cmd_threads, "every thread with its CPU and state");
KCONSOLE_COMMAND("uptime", cmd_uptime, "time since boot");
KCONSOLE_COMMAND("lsmod", cmd_lsmod,
                 "modules: version, state, size, users (and sections refused at boot)");
KCONSOLE_COMMAND("syms", cmd_syms,
                 "the symbol table: name, module, slot, implementation, bindings");
KCONSOLE_COMMAND("audit", cmd_audit, "each loaded module's contracts, and the checks across them");
KCONSOLE_COMMAND("reboot", cmd_reboot, "restart the machine");

__noreturn void kconsole_run(void)
{
    struct mod_error err;
    if (module_bind("console_getc", &getc_slot, &err) != MOD_OK) {
        pr_err("console: no input driver (%s); the prompt is not available\n", err.message);
        for (;;)
            sched_sleep_ns(NSEC_PER_SEC);
    }
    kprintf("Type 'help' for commands.\n");
    char line[128];
    for (;;) {
        kprintf("wisp> ");
        if (!read_line(line, sizeof(line)))
            continue;
        bool found = strncmp(line, "run ", 4) == 0;
        if (found)
            process_run_command(line + 4);
        for (const struct kconsole_command *c = __kconsole_start; c < __kconsole_end && !found;
             c++) {
            if (strcmp(line, c->name) == 0) {
                c->fn();
                found = true;
            }
        }
        if (!found)
            kprintf("unknown command: %s (try help)\n", line);
    }
}
