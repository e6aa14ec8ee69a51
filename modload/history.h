/* history.h — the history of module versions: each load and each swap,
 * newest MODULE_HISTORY_MAX kept, and each module's minimum version
 * (history.c). The console's `modhist` prints the history. Kernel only. */
#pragma once
#include <wisp/compiler.h>

#define MODULE_HISTORY_MAX 64
struct module_history_entry {
    char name[32];
    uint32_t version;
    uint64_t when_ns; /* since boot */
    char by[8];       /* "load", "push", "test" */
};

/* Records that version of name went live (and makes it the kernel's
 * minimum version of name). Caller holds the module lock. */
void module_history_add(const char *name, uint32_t version, const char *by);

/* The kernel's minimum version of a module: the last version of it that
 * went live, or, before any did, its section's version in the boot image;
 * 0 when neither is known. A push of a module that is not loaded must not
 * be older (update.c); only a signed rollback lowers it. Kept in memory
 * for as long as the kernel runs. Caller holds the module lock. */
uint32_t module_version_floor(const char *name);
