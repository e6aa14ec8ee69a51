/* update.h — the live-update transaction (update.c; design in MODULES.md,
 * "Live update") and the history of versions. Kernel only. */
#pragma once
#include <wisp/compiler.h>
#include "modload/error.h"
#include "modload/image.h"

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

/* Retiring versions (update.c): old versions that still had chains
 * inside when their swap's retire step gave up waiting. update_reap_locked
 * frees those whose chains have all left and returns how many remain
 * (module lock held; process context, sleeps: freeing a version waits for
 * a grace period). update_retiring() is how many there are (takes the
 * module lock). */
unsigned update_reap_locked(void);
unsigned update_retiring(void);
/* The console's `lsmod` lists them after the live modules. */
void update_retiring_print(void);

/* The history of versions: each load and each swap (module lock held). */
#define UPDATE_HISTORY_MAX 64
struct update_history_entry {
    char name[32];
    uint32_t version;
    uint64_t when_ns; /* since boot */
    char by[8];       /* "load", "push", "test" */
};
void update_history_add(const char *name, uint32_t version, const char *by);
/* The console's `modhist`. */
void update_history_print(void);
