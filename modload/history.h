/* history.h — the history of module versions: each load and each swap,
 * newest MODULE_HISTORY_MAX kept (history.c). The console's `modhist`
 * prints it. Kernel only. */
#pragma once
#include <wisp/compiler.h>

#define MODULE_HISTORY_MAX 64
struct module_history_entry {
    char name[32];
    uint32_t version;
    uint64_t when_ns; /* since boot */
    char by[8];       /* "load", "push", "test" */
};

/* Records that version of name went live. Caller holds the module lock. */
void module_history_add(const char *name, uint32_t version, const char *by);
