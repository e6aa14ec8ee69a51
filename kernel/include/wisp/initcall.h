/* initcall.h — services that start themselves once the system is up.
 *
 * SERVICE_INITCALL(fn) registers fn (void fn(void)) in the .initcall.*
 * sections; the init thread runs them all, in link order, after the boot
 * modules are loaded and only on an ordinary boot (not in test, benchmark
 * or torture mode), before the shell starts. So the core starts a service
 * (the live-update line, say) without naming it. Process context (the
 * init thread), may sleep.
 */
#pragma once
#include <wisp/compiler.h>

typedef void (*initcall_fn)(void);

#define SERVICE_INITCALL(fn_) \
    static const initcall_fn initcall_##fn_ __section(".initcall.service") __used = fn_

/* Runs every registered service initcall (kernel/main.c). */
void initcalls_run(void);
