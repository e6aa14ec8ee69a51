/* kconsole.h — the minimal kernel console prompt on COM1 (help, cpus, mem,
 * threads, reboot). Later replaced by the user-space shell. */
#pragma once
#include <wisp/compiler.h>

__noreturn void kconsole_run(void);
