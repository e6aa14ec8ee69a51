/* dispatch.c — the C half of the dispatch thunks: per-thread pins of a
 * module version (see dispatch.h; design and reasoning in MODULES.md,
 * "Live update").
 *
 * Ordering with the updater (update.c): a chain's outermost entry loads
 * identity->current and increments that version's `active` inside one
 * rcu_read_lock() section. The updater stores the new `current`, then
 * waits for a grace period, then for the old version's `active` to reach
 * 0: after the grace period no entry can still be between its load of the
 * old pointer and its increment, so `active == 0` then means no chain is
 * inside the old version and none can enter it again.
 */
#include "modload/dispatch.h"
#include "modload/module.h"
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <wisp/percpu.h>
#include <rcu/rcu.h>
#include <wisp/time.h>
#include <string.h>

static struct thread_module_pin *find_pin(struct thread *t, const struct mod_identity *id)
{
    for (int i = 0; i < THREAD_MODULE_PINS; i++)
        if (t->module_pins[i].identity == id)
            return &t->module_pins[i];
    return NULL;
}

static bool not_held(void *arg)
{
    return !__atomic_load_n(&((struct mod_identity *)arg)->held, __ATOMIC_ACQUIRE);
}

/* Outermost entry: pins the current version. Caller is inside
 * rcu_read_lock() with interrupts off. */
static struct thread_module_pin *pin_current(struct thread *t, struct mod_identity *id)
{
    struct thread_module_pin *pin = find_pin(t, NULL);
    if (!pin)
        panic("dispatch: thread %s is inside more than %d modules at once", t->name,
              THREAD_MODULE_PINS);
    struct module *v = __atomic_load_n(&id->current, __ATOMIC_ACQUIRE);
    __atomic_add_fetch(&v->active, 1, __ATOMIC_SEQ_CST);
    pin->version = v;
    pin->depth = 0;
    pin->identity = id; /* last: an interrupt sees a whole pin or none */
    return pin;
}

/* The read section is entered before interrupts go off and left after
 * they are back on: leaving it may reschedule (preempt_enable), which
 * must not happen with interrupts off. `held` is checked inside the
 * section, so an entry either sees it (and waits, outside) or is one the
 * updater's grace period waits for and then counts in `active`. */
void *mod_dispatch_enter(struct mod_identity *id, uint32_t index)
{
    struct thread *t = current_thread();
    for (;;) {
        rcu_read_lock();
        uint64_t flags = irq_save();
        struct thread_module_pin *pin = find_pin(t, id);
        if (!pin && __atomic_load_n(&id->held, __ATOMIC_SEQ_CST) && !in_interrupt()) {
            irq_restore(flags);
            rcu_read_unlock(); /* a quiescent update: wait until released */
            wait_queue_wait(&id->held_wq, not_held, id);
            continue;
        }
        if (!pin)
            pin = pin_current(t, id);
        pin->depth++;
        void *impl = ((struct module *)pin->version)->impl[index];
        irq_restore(flags);
        rcu_read_unlock();
        return impl;
    }
}

void mod_dispatch_exit(struct mod_identity *id)
{
    struct thread *t = current_thread();
    uint64_t flags = irq_save();
    struct thread_module_pin *pin = find_pin(t, id);
    if (!pin)
        panic("dispatch: thread %s leaves module %s without a pin", t->name, id->name);
    if (--pin->depth == 0) {
        struct module *v = pin->version;
        pin->identity = NULL;
        /* Release: the chain's accesses to v happen before the updater
         * sees active reach 0. */
        __atomic_sub_fetch(&v->active, 1, __ATOMIC_RELEASE);
    }
    irq_restore(flags);
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
    return __atomic_load_n(&m->active, __ATOMIC_ACQUIRE);
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
