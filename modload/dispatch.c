/* dispatch.c — the C half of the dispatch thunks: per-thread pins of a
 * module version (see dispatch.h; design and reasoning in MODULES.md,
 * "Live update").
 *
 * Ordering with the updater (update.c), all sequentially consistent: an
 * outermost entry reads the identity's generation g, increments its CPU's
 * active count of version index g % MOD_VERSIONS_MAX, then reads the generation
 * again; only if it is still g does the chain go on in that index's
 * version (else it takes its increment back and starts again). The
 * updater stores the new version at the next index, then the new
 * generation, then waits for the old index's counts, summed over the CPUs,
 * to reach 0. So an entry that went on in the old version incremented
 * before the updater's store (its second read saw g), and the updater's
 * later read of that CPU's count sees the increment; every later entry
 * sees the new generation. A chain's increment and decrement are on the
 * same CPU's count (the pin records which), so no count ever shows fewer
 * than the chains inside it, and a sum of 0 means every chain that
 * entered the old version has left. Per-CPU counts keep entries on
 * different CPUs off each other's cache lines. The counters live in the
 * identity, which outlives its versions: no entry ever touches a freed
 * version. Quiescent updates use the same pairing with `paused`: an entry
 * increments, then reads `paused`; the updater sets `paused`, then reads the
 * count.
 *
 * No interrupt masking: the pin stack is pushed by reserving the entry
 * (count + 1) before filling it and publishing its identity last, and
 * popped by clearing the identity before the count; an interrupt handler
 * that enters a module between those steps sees no half-made pin, pushes
 * above it and pops before it returns. barrier() keeps the compiler from
 * reordering those steps; the CPU sees its own stores in order.
 */
#include "modload/dispatch.h"
#include "modload/module.h"
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <string.h>

static struct thread_module_pin *find_pin(struct thread *t, const struct mod_identity *id)
{
    for (uint32_t i = t->module_pin_count; i-- > 0;) /* innermost first */
        if (t->module_pins[i].identity == id)
            return &t->module_pins[i];
    return NULL;
}

static bool not_paused(void *arg)
{
    return !__atomic_load_n(&((struct mod_identity *)arg)->paused, __ATOMIC_ACQUIRE);
}

/* Outermost entry: pushes a pin of the current version, counted at its
 * version index. Thread context, or an interrupt (which never waits on `paused`). */
static struct thread_module_pin *pin_current(struct thread *t, struct mod_identity *id)
{
    uint32_t n = t->module_pin_count;
    if (n == THREAD_MODULE_PINS)
        panic("dispatch: thread %s is inside more than %d modules at once", t->name,
              THREAD_MODULE_PINS);
    struct thread_module_pin *pin = &t->module_pins[n]; /* identity NULL since its pop */
    t->module_pin_count = n + 1;                        /* reserved */
    barrier();
    /* This CPU: threads never migrate, and an interrupt's t is the thread
     * it interrupted (t->cpu: one load less than cpu_id()). */
    uint32_t cpu = (uint32_t)t->cpu;
    uint64_t *counts = id->active[cpu].count;
    for (;;) {
        uint64_t g = __atomic_load_n(&id->generation, __ATOMIC_SEQ_CST);
        uint32_t vi = (uint32_t)(g % MOD_VERSIONS_MAX);
        __atomic_add_fetch(&counts[vi], 1, __ATOMIC_SEQ_CST);
        bool moved = __atomic_load_n(&id->generation, __ATOMIC_SEQ_CST) != g;
        bool wait = !moved && __atomic_load_n(&id->paused, __ATOMIC_SEQ_CST) && !in_interrupt();
        if (!moved && !wait) {
            pin->version = id->versions[vi];
            pin->version_index = vi;
            pin->cpu = cpu;
            pin->depth = 0;
            barrier();
            pin->identity = id; /* published: the pin is whole */
            return pin;
        }
        __atomic_sub_fetch(&counts[vi], 1, __ATOMIC_SEQ_CST);
        if (wait) /* a quiescent update: wait until released */
            wait_queue_wait(&id->paused_wq, not_paused, id);
    }
}

void *mod_dispatch_enter(struct mod_identity *id, uint32_t index)
{
    struct thread *t = this_cpu()->current;
    struct thread_module_pin *pin = find_pin(t, id);
    if (!pin)
        pin = pin_current(t, id);
    pin->depth++; /* an interrupt in between restores it */
    return ((struct module *)pin->version)->impl[index];
}

void mod_dispatch_exit(struct mod_identity *id)
{
    struct thread *t = this_cpu()->current;
    struct thread_module_pin *pin = find_pin(t, id);
    if (!pin)
        panic("dispatch: thread %s leaves module %s without a pin", t->name, id->name);
    if (--pin->depth != 0)
        return;
    if (pin != &t->module_pins[t->module_pin_count - 1])
        panic("dispatch: thread %s leaves module %s out of call order", t->name, id->name);
    uint32_t vi = pin->version_index, cpu = pin->cpu;
    pin->identity = NULL;
    barrier();
    t->module_pin_count--;
    /* Release: the chain's accesses to the version happen before the
     * updater sees the count reach 0. */
    __atomic_sub_fetch(&id->active[cpu].count[vi], 1, __ATOMIC_RELEASE);
}

void mod_dispatch_write_thunks(struct mod_identity *id, uint8_t *code, uint64_t code_va)
{
    extern char mod_dispatch_common[];
    for (uint32_t i = 0; i < id->export_count; i++) {
        uint8_t *p = code + (size_t)i * MOD_DISPATCH_THUNK_SIZE;
        uint64_t va = code_va + (uint64_t)i * MOD_DISPATCH_THUNK_SIZE;
        uint64_t identity = (uint64_t)id;
        memset(p, 0xcc, MOD_DISPATCH_THUNK_SIZE);
        p[0] = 0x41, p[1] = 0xba; /* mov $i, %r10d */
        memcpy(p + 2, &i, 4);
        p[6] = 0x49, p[7] = 0xbb; /* movabs $id, %r11 */
        memcpy(p + 8, &identity, 8);
        int32_t rel = (int32_t)((uint64_t)mod_dispatch_common - (va + 21));
        p[16] = 0xe9; /* jmp mod_dispatch_common */
        memcpy(p + 17, &rel, 4);
    }
}

int mod_dispatch_export_index(const struct mod_identity *id, const char *name)
{
    for (uint32_t i = 0; i < id->export_count; i++)
        if (strcmp(id->export_names[i], name) == 0)
            return (int)i;
    return -1;
}

uint64_t mod_dispatch_active(const struct module *m)
{
    uint64_t inside = 0;
    for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
        inside +=
            __atomic_load_n(&m->identity->active[cpu].count[m->version_index], __ATOMIC_SEQ_CST);
    return inside;
}

bool mod_dispatch_wait_inactive(const struct module *m, uint64_t ms)
{
    uint64_t deadline = clock_ns() + ms * NSEC_PER_MSEC;
    while (mod_dispatch_active(m) != 0) {
        if (clock_ns() >= deadline)
            return false;
        sched_sleep_ns(50 * 1000);
    }
    return true;
}
