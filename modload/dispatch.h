/* dispatch.h — per-export dispatch thunks and per-thread version pins: how
 * a call chain runs wholly on one version of a module during a live update
 * (MODULES.md, "Live update"). Kernel only.
 *
 * Every module has an identity (struct mod_identity), created at its first
 * load and kept across versions. Each export gets, in the identity's own
 * executable page, a thunk `mov $index, %r10d; movabs $identity, %r11; jmp
 * mod_dispatch_common`, and the export's symbol slot points at that thunk
 * for as long as the module is loaded: an update never repoints a slot.
 * The common thunk (dispatch_thunk.asm) calls mod_dispatch_enter(), which
 * finds the calling thread's pin for the identity — or, at the outermost
 * entry, pushes a pin of the identity's current version and counts the
 * thread at that version's index — and returns the pinned version's
 * implementation of the export; it calls it with the caller's six
 * argument registers, then mod_dispatch_exit() unpins at depth 0.
 *
 * An identity keeps up to MOD_VERSIONS_MAX versions, by version index: the
 * current one is versions[generation % MOD_VERSIONS_MAX], the indexes
 * before it hold older versions still draining (retiring), and each index
 * has its count of chains inside (`active`). An update puts the new
 * version at the next index, which must be free, and advances the
 * generation.
 *
 * So a chain that entered version N re-enters version N through any export
 * of the module, while new chains take the new version. Interrupt handlers
 * use the interrupted thread's pins (the same chain). Limits: at most six
 * integer register arguments (as for the guards, module_guard.h); at most
 * THREAD_MODULE_PINS distinct modules nested in one chain; at most
 * MOD_VERSIONS_MAX - 2 older versions of a module retiring at once.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/sched.h>
#include <wisp/percpu.h>

#define MOD_DISPATCH_THUNK_SIZE 32

struct module;

#define MOD_VERSIONS_MAX 4

/* One CPU's counts of the chains inside each version (by index), on a cache
 * line of its own: entries on different CPUs never write the same line. */
struct mod_active_counts {
    uint64_t count[MOD_VERSIONS_MAX];
} __cacheline_aligned;

struct mod_identity {
    /* The current version is versions[generation % MOD_VERSIONS_MAX];
     * the updater alone writes both, under the module lock (dispatch.c
     * gives the ordering with the entries). */
    uint64_t generation;
    struct module *versions[MOD_VERSIONS_MAX]; /* current, retiring, or NULL: free */
    /* Chains inside versions[i]: the sum over CPUs of active[c].count[i]
     * (atomic; each chain counted on the CPU it entered on). */
    struct mod_active_counts active[MAX_CPUS];
    char name[32];
    uint32_t export_count;
    const char **export_names; /* index → name, owned (kmalloc) */
    uint64_t thunks_va;        /* export_count thunks, page aligned */
    uint64_t thunks_pages;
    /* Quiescent updates: while paused, new outermost entries from thread
     * context wait on paused_wq (interrupt context never waits: such modules
     * refuse quiescent updates). */
    bool paused;
    struct wait_queue paused_wq;
    /* Older versions still draining (update.c's retiring list; module
     * lock): the module is not unloaded while there are any. */
    uint32_t retiring;
    /* Programs are bound to one of its exports as a ghost function
     * (kernel/proc/ghost.c: ghost indices are never given back, and a call
     * goes through the export's slot): the module never unloads. */
    bool ghost_bound;
};

/* The version new chains enter (module lock held, or a racy snapshot). */
static inline struct module *mod_identity_current(const struct mod_identity *id)
{
    uint64_t g = __atomic_load_n(&id->generation, __ATOMIC_ACQUIRE);
    return id->versions[g % MOD_VERSIONS_MAX];
}

/* Called by the asm thunk, and by tests that build call chains by hand. */
void *mod_dispatch_enter(struct mod_identity *id, uint32_t index);
void mod_dispatch_exit(struct mod_identity *id);

/* Writes export_count thunks at code (executable later at code_va). */
void mod_dispatch_write_thunks(struct mod_identity *id, uint8_t *code, uint64_t code_va);

/* The thunk address of export index. */
static inline void *mod_dispatch_thunk(const struct mod_identity *id, uint32_t index)
{
    return (void *)(id->thunks_va + (uint64_t)index * MOD_DISPATCH_THUNK_SIZE);
}

/* Index of name among the identity's exports, or -1. */
int mod_dispatch_export_index(const struct mod_identity *id, const char *name);

/* Chains (of threads, or interrupts) inside version m right now; may
 * briefly include an entry that is taking its increment back. */
uint64_t mod_dispatch_active(const struct module *m);

/* Sleeps until no chain is inside m or ms pass; true when none is. Only
 * meaningful once no new chain can enter m: it is no longer current (an
 * update), or paused (a quiescent one), or its symbols are gone and a grace
 * period has passed (unload). Process context. */
bool mod_dispatch_wait_inactive(const struct module *m, uint64_t ms);
