/* kbench.h — in-kernel benchmarks, run by `make bench`.
 *
 * KBENCH(name) registers a function run when the kernel command line says
 * "bench" (all) or "bench=PREFIX[,PREFIX...]". It reports figures with
 * kbench_report(), one line each: "bench: NAME VALUE UNIT", which the host
 * side (tests/qemu/bench.py) collects into its table. Benchmarks measure;
 * they never pass or fail.
 */
#pragma once
#include <wisp/compiler.h>

struct kbench {
    const char *name;
    void (*fn)(void);
};

#define KBENCH(name_) \
    static void kbench_fn_##name_(void); \
    static const struct kbench kbench_desc_##name_ __section(".kbench") \
        __used __aligned(8) = { #name_, kbench_fn_##name_ }; \
    static void kbench_fn_##name_(void)

/* Prints "bench: <name> <value> <unit>"; value has 3 decimals when scaled. */
void kbench_report(const char *name, uint64_t value_milli, const char *unit);
/* Cycles → nanoseconds ×1000, for kbench_report(…, "ns"). */
uint64_t kbench_cycles_to_ns_milli(uint64_t cycles);
/* Median of n values (sorts v in place). */
uint64_t kbench_median(uint64_t *v, int n);
/* Runs the benchmarks the command line selects. */
void kbench_run_selected(void);
bool kbench_mode(void);
