/* bench_devices.c — figures of the interface registry (make bench): a
 * method call through iface_call (the instance's class, then the method's
 * export through its dispatch thunk) against a call of the same export
 * through its symbol slot (the dispatch thunk alone), on softcompute's
 * soft0 (soft_invert does almost nothing); a method of the edu device
 * (invert through its liveness register: MMIO under the device's mutex);
 * and an iface_open + iface_close pair. */
#include <wisp/kbench.h>
#include <wisp/cpu.h>
#include <wisp/interface.h>
#include <wisp/printk.h>
#include "modload/symtab.h"

#define ROUNDS 7
#define CALLS  20000

KBENCH(devices_iface_call)
{
    char why[96];
    struct iface_instance *soft = iface_open("demo.compute", "soft0", why, sizeof(why));
    struct iface_instance *edu = iface_open("demo.compute", "edu0", why, sizeof(why));
    uint64_t (*slot)(void *, uint64_t) = (uint64_t(*)(void *, uint64_t))sym_resolve("soft_invert");
    if (!soft || !slot) {
        kprintf("# devices_iface_call: %s\n", soft ? "no soft_invert" : why);
        goto out;
    }
    int invert = iface_method_index(soft, "invert");
    uint64_t via_iface[ROUNDS], via_slot[ROUNDS], via_edu[ROUNDS], open_close[ROUNDS];
    volatile uint64_t sink = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = rdtsc_ordered();
        for (int i = 0; i < CALLS; i++)
            sink += slot(NULL, (uint64_t)i);
        via_slot[r] = (rdtsc_ordered() - start) / CALLS;
        start = rdtsc_ordered();
        for (int i = 0; i < CALLS; i++)
            sink += iface_call(soft, (unsigned)invert, (uint64_t)i, 0, 0, 0);
        via_iface[r] = (rdtsc_ordered() - start) / CALLS;
        start = rdtsc_ordered();
        for (int i = 0; edu && i < CALLS / 10; i++)
            sink += iface_call(edu, (unsigned)invert, (uint64_t)i, 0, 0, 0);
        via_edu[r] = (rdtsc_ordered() - start) / (CALLS / 10);
        start = rdtsc_ordered();
        for (int i = 0; i < CALLS / 10; i++)
            iface_close(iface_open("demo.compute", "soft0", why, sizeof(why)));
        open_close[r] = (rdtsc_ordered() - start) / (CALLS / 10);
    }
    (void)sink;
    kbench_report("devices.export_slot_call",
                  kbench_cycles_to_ns_milli(kbench_median(via_slot, ROUNDS)), "ns");
    kbench_report("devices.iface_call", kbench_cycles_to_ns_milli(kbench_median(via_iface, ROUNDS)),
                  "ns");
    if (edu)
        kbench_report("devices.iface_call_edu_mmio",
                      kbench_cycles_to_ns_milli(kbench_median(via_edu, ROUNDS)), "ns");
    kbench_report("devices.iface_open_close",
                  kbench_cycles_to_ns_milli(kbench_median(open_close, ROUNDS)), "ns");
out:
    if (soft)
        iface_close(soft);
    if (edu)
        iface_close(edu);
}
