/* dev.h — the device registry's hooks for the module loader
 * (kernel/dev/loader.c) and its boot entry. See loader.c for when each
 * runs; all take the module lock's caller's context (process, module lock
 * held).
 */
#pragma once
#include <wisp/compiler.h>
#include "modload/format/error.h"

struct module;

enum mod_status dev_module_begin(struct module *m, struct mod_error *err);
void dev_module_end(struct module *m, bool ok);
void dev_module_switch(struct module *m);
void dev_module_freed(struct module *m);
enum mod_status dev_module_unloading(const struct module *m, struct mod_error *err);
