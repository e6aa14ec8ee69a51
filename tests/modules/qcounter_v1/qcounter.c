/* qcounter — a counter whose exports are process-context only, so that it
 * can be swapped quiescently: v2 (tests/modules/qcounter_v2) changes the
 * state layout and converts it, with callers held (a measured blackout). */
#include <wisp/module.h>
#include <wisp/mm.h>

#ifndef QCOUNTER_STATE_VERSION
#define QCOUNTER_STATE_VERSION 1
#endif

struct qcounter_state_1 {
    uint64_t count;
};
struct qcounter_state_2 {
    uint64_t count;
    uint64_t additions;
};
#if QCOUNTER_STATE_VERSION == 2
typedef struct qcounter_state_2 qcounter_state_t;
#else
typedef struct qcounter_state_1 qcounter_state_t;
#endif

static qcounter_state_t *state;

/* Adds n and returns the total. Process context. */
uint64_t qcounter_add(uint64_t n)
{
#if QCOUNTER_STATE_VERSION == 2
    state->additions++;
#endif
    return state->count += n;
}
WISP_EXPORT(qcounter_add);

void *wisp_state_get(void) { return state; }

int wisp_state_adopt(void *old, uint16_t old_state_version)
{
    if (old_state_version == QCOUNTER_STATE_VERSION) {
        kfree(state);
        state = old;
        return 0;
    }
#if QCOUNTER_STATE_VERSION == 2
    if (old_state_version == 1) {
        state->count = ((struct qcounter_state_1 *)old)->count;
        kfree(old);
        return 0;
    }
#endif
    return -1;
}

static int qcounter_start(void)
{
    state = kzalloc(sizeof(*state));
    return state ? 0 : -1;
}
WISP_MODULE_INIT(qcounter_start);

static void qcounter_stop(void) { kfree(state); }
WISP_MODULE_EXIT(qcounter_stop);
