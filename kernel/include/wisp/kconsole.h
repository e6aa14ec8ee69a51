/* kconsole.h — the kernel monitor on COM1 (help, cpus, mem, threads, run,
 * reboot, ...): a debug console, run with the kernel argument `monitor` or
 * after the user-space shell has ended. */
#pragma once
#include <wisp/compiler.h>

__noreturn void kconsole_run(void);
