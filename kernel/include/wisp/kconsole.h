/* kconsole.h — the kernel monitor on COM1 (help, cpus, mem, threads, run,
 * reboot, ...): a debug console, run with the kernel argument `monitor` or
 * after the user-space shell has ended. */
#pragma once
#include <wisp/compiler.h>

__noreturn void kconsole_run(void);

/* A monitor command, registered by its owner (the console names none but
 * its own): KCONSOLE_COMMAND("lsmod", cmd_lsmod, "modules: ...") puts it
 * in the .kconsole section, which `help` lists in link order. fn runs in
 * the console thread (process context, may sleep). */
struct kconsole_command {
    const char *name;
    const char *help;
    void (*fn)(void);
};
#define KCONSOLE_COMMAND(name_, fn_, help_) \
    static const struct kconsole_command kconsole_command_##fn_ __section(".kconsole") \
        __used __aligned(8) = { name_, help_, fn_ }

/* The console's foreground program (kernel/proc/syscall.c: the gate
 * function console_foreground sets it): ^C on the console ends it with
 * SYS_EXIT_INTERRUPTED. The console driver calls console_interrupt from
 * its interrupt handler when ^C comes: true when it ended a program (the
 * driver then drops the key), false when there is none (the key is an
 * ordinary byte). */
bool console_interrupt(void);

/* kernel/selfcheck.c: the heap walked, and since the previous call (the
 * first takes the baseline) no lock validator report and nothing left
 * behind. Prints its findings; returns how many. Process context. */
size_t selfcheck(void);
