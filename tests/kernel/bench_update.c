/* bench_update.c — figures of live update: a call through a module's
 * dispatch thunk (pin, call, unpin) against a direct call of the same
 * implementation, and an in-kernel swap of counter (the transaction a push
 * runs, without the line): total, the switch itself and the grace period
 * the updater waits before freeing the old version. */
#include <wisp/kbench.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include "modload/dispatch.h"
#include "modload/module.h"
#include "modload/symtab.h"
#include "tests/torture/swap.h"

#define ROUNDS 7

KBENCH(update_dispatch_call)
{
    enum { CALLS = 100000 };
    uint32_t slot;
    struct mod_error err;
    struct module *m = module_find("counter");
    if (!m || module_bind("counter_read", &slot, &err)) {
        kprintf("# update_dispatch_call: counter not loaded\n");
        return;
    }
    int index = mod_dispatch_export_index(m->identity, "counter_read");
    uint64_t (*thunk)(void) = (uint64_t(*)(void))sym_slot_load(slot);
    uint64_t (*direct)(void) = (uint64_t(*)(void))m->impl[index];
    uint64_t via_thunk[ROUNDS], via_direct[ROUNDS];
    volatile uint64_t sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = rdtsc_ordered();
        for (int i = 0; i < CALLS; i++)
            sink += direct();
        via_direct[r] = (rdtsc_ordered() - start) / CALLS;
        start = rdtsc_ordered();
        for (int i = 0; i < CALLS; i++)
            sink += thunk();
        via_thunk[r] = (rdtsc_ordered() - start) / CALLS;
    }
    (void)sink;
    kbench_report("update.direct_call",
                  kbench_cycles_to_ns_milli(kbench_median(via_direct, ROUNDS)), "ns");
    kbench_report("update.dispatch_call",
                  kbench_cycles_to_ns_milli(kbench_median(via_thunk, ROUNDS)), "ns");
}

KBENCH(update_swap)
{
    uint64_t total[ROUNDS], switch_ns[ROUNDS], grace[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        struct update_report rep;
        struct mod_error err;
        uint64_t start = clock_ns();
        if (swap_counter(1u << 16 | (uint32_t)(r & 1), &rep, &err) != MOD_OK) {
            kprintf("# update_swap: %s\n", err.message);
            return;
        }
        total[r] = clock_ns() - start;
        switch_ns[r] = rep.switch_ns;
        grace[r] = rep.grace_ns;
    }
    kbench_report("update.swap_total", kbench_median(total, ROUNDS), "us");
    kbench_report("update.swap_switch", kbench_median(switch_ns, ROUNDS) * 1000, "ns");
    kbench_report("update.swap_grace_period", kbench_median(grace, ROUNDS), "us");
}
