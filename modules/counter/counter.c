/* counter.c — the demo module: a counter shared by every caller, and the
 * worked example of a module that is updated live (MODULES.md, "Live
 * update").
 *
 * Its state is one heap object, so that two versions can share it while
 * both run during a swap: wisp_state_get() hands it to the updater and the
 * new version's wisp_state_adopt() takes it over — as is when the layout
 * (the manifest's `state`) is the same, so that no increment is lost, or
 * converted when it differs (then the update is quiescent). Each version
 * tags its results with its version number (counter_version), so a test
 * can tell which implementation answered. The test versions in
 * tests/modules/counter_v* compile this file with other COUNTER_* values.
 */
#include <wisp/module.h>
#include <wisp/printk.h>
#include <wisp/mm.h>

#ifndef COUNTER_VERSION
#define COUNTER_VERSION 1
#endif
#ifndef COUNTER_STATE_VERSION
#define COUNTER_STATE_VERSION 1 /* the manifest's `state` */
#endif

/* State layout 1: the total. */
struct counter_state_1 {
    uint64_t count;
};
/* State layout 2: the total and the number of additions. */
struct counter_state_2 {
    uint64_t count;
    uint64_t additions;
};

#if COUNTER_STATE_VERSION == 2
typedef struct counter_state_2 counter_state_t;
#else
typedef struct counter_state_1 counter_state_t;
#endif

static counter_state_t *state; /* owned by this version until handed over */

/* Adds n and returns the new total. Any context; never sleeps; re-entrant. */
uint64_t counter_add(uint64_t n)
{
#if COUNTER_STATE_VERSION == 2
    __atomic_add_fetch(&state->additions, 1, __ATOMIC_RELAXED);
#endif
    return __atomic_add_fetch(&state->count, n, __ATOMIC_RELAXED);
}
WISP_EXPORT(counter_add);

uint64_t counter_read(void) { return __atomic_load_n(&state->count, __ATOMIC_RELAXED); }
WISP_EXPORT(counter_read);

/* Which implementation answers: lets callers check whole-version calls. */
uint32_t counter_version(void) { return COUNTER_VERSION; }
WISP_EXPORT(counter_version);

/* The updater's handover: the state object, which this version keeps
 * using until its last call chain has left. */
void *wisp_state_get(void) { return state; }

/* Takes over the previous version's state: the same layout is shared as
 * is (this version's own empty state is dropped); layout 1 → 2 is
 * converted (the update is then quiescent: nobody uses the old object).
 * 0, or non-zero to refuse (the old version stays live). */
int wisp_state_adopt(void *old, uint16_t old_state_version)
{
#ifdef COUNTER_FAIL_ADOPT
    (void)old;
    (void)old_state_version;
    return -5;
#else
    if (old_state_version == COUNTER_STATE_VERSION) {
        kfree(state);
        state = old;
        return 0;
    }
#if COUNTER_STATE_VERSION == 2
    if (old_state_version == 1) {
        state->count = ((struct counter_state_1 *)old)->count;
        kfree(old);
        return 0;
    }
#endif
    return -1;
#endif
}

static int counter_start(void)
{
#ifdef COUNTER_FAIL_INIT
    return -3;
#endif
    state = kzalloc(sizeof(*state));
    if (!state)
        return -1;
    pr_info("counter: version %d ready\n", COUNTER_VERSION);
    return 0;
}
WISP_MODULE_INIT(counter_start);

/* Unload (or a new version refused after its init): the state is this
 * version's own. Not run for a version replaced by a swap. */
static void counter_stop(void)
{
    kfree(state);
    state = NULL;
}
WISP_MODULE_EXIT(counter_stop);
