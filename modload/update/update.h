/* update.h — the live-update transaction (update.c; design in MODULES.md,
 * "Live update") and the history of versions. Kernel only. */
#pragma once
#include <wisp/compiler.h>
#include "modload/format/error.h"
#include "modload/format/image.h"

/* What one swap took. */
struct update_report {
    uint32_t old_version;
    bool quiescent;
    bool old_kept;        /* chains still inside old after the bound: not freed */
    uint64_t load_ns;     /* verify-free part: relocate, link, init */
    uint64_t switch_ns;   /* the store of current and the bookkeeping */
    uint64_t serving_at;  /* clock_ns() when new chains started entering the new version */
    uint64_t blackout_ns; /* quiescent: callers held → released */
    uint64_t grace_ns;    /* after the switch, until no chain was inside old */
};

/* Replaces the live module s->name by the verified section s: contract,
 * load, (quiesce,) transfer, switch, retire. MOD_OK or the reason naming
 * the step ("contract: ...", "init: ...", "transfer: ...", "quiesce: ...");
 * on failure the old version is live and untouched. by: "push", "test".
 * Caller holds the module lock (module_lock()); process context, sleeps. */
enum mod_status update_module_locked(const struct mod_image_section *s, const char *by,
                                     struct update_report *report, struct mod_error *err);
