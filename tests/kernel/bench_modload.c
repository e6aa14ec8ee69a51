/* bench_modload.c — figures of the module system: verifying and linking a
 * module per KiB, symbol lookup at 100 and 10,000 symbols, and a call
 * through a slot against a direct call. */
#include <wisp/kbench.h>
#include <wisp/boot.h>
#include <wisp/cpu.h>
#include <wisp/mm.h>
#include <wisp/format.h>
#include <wisp/printk.h>
#include "modload/module.h"
#include "modload/symtab.h"
#include "modload/format/image.h"
#include <string.h>

#define ROUNDS 7

static const struct mod_image_section *find_section(struct mod_image *img, const char *name,
                                                    struct mod_image_section *s)
{
    for (unsigned i = 0; i < boot_info.module_count; i++) {
        const struct boot_module *bm = &boot_info.modules[i];
        if (strcmp(bm->cmdline, "image") == 0 &&
            mod_image_open(img, phys_to_virt(bm->start), bm->end - bm->start, NULL) == MOD_OK &&
            mod_image_find(img, name, s) == MOD_OK)
            return s;
    }
    return NULL;
}

/* Verify (SHA-256 + ECDSA P-256) and load (relocate, link, init) kvstore. */
KBENCH(modload_load)
{
    struct mod_image img;
    struct mod_image_section s;
    if (!find_section(&img, "kvstore", &s)) {
        kprintf("# modload_load: no kvstore section in the image\n");
        return;
    }
    uint64_t verify[ROUNDS], load[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        struct mod_error err;
        uint64_t t0 = rdtsc_ordered();
        if (mod_image_verify_section(&s, mod_signing_key, &err) != MOD_OK) {
            kprintf("# modload_load: %s\n", err.message);
            return;
        }
        uint64_t t1 = rdtsc_ordered();
        struct module *m = module_find("kvstore");
        if (m && module_unload(m, &err) != MOD_OK) {
            kprintf("# modload_load: %s\n", err.message);
            return;
        }
        uint64_t t2 = rdtsc_ordered();
        if (module_load("kvstore", &m, &err) != MOD_OK) {
            kprintf("# modload_load: %s\n", err.message);
            return;
        }
        load[r] = rdtsc_ordered() - t2;
        verify[r] = t1 - t0;
    }
    uint64_t kib = (s.size + 1023) / 1024;
    kbench_report("modload.object_size", s.size * 1000 / 1024, "KiB");
    kbench_report("modload.verify_per_kib",
                  kbench_cycles_to_ns_milli(kbench_median(verify, ROUNDS)) / 1000 / kib, "us");
    kbench_report("modload.link_init_per_kib",
                  kbench_cycles_to_ns_milli(kbench_median(load, ROUNDS)) / 1000 / kib, "us");
}

static uint64_t lookup_cycles(unsigned count)
{
    enum { LOOKUPS = 2000 };
    char name[32];
    uint64_t samples[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = rdtsc_ordered();
        for (unsigned i = 0; i < LOOKUPS; i++) {
            ksnprintf(name, sizeof(name), "bench_sym_%u", (i * 7919u) % count);
            if (!sym_resolve(name))
                return 0;
        }
        uint64_t total = rdtsc_ordered() - start;
        /* subtract the name formatting, measured alone */
        start = rdtsc_ordered();
        for (unsigned i = 0; i < LOOKUPS; i++)
            ksnprintf(name, sizeof(name), "bench_sym_%u", (i * 7919u) % count);
        uint64_t fmt = rdtsc_ordered() - start;
        samples[r] = (total > fmt ? total - fmt : 0) / LOOKUPS;
    }
    return kbench_median(samples, ROUNDS);
}

/* Lookup cost with about 100 and about 10,000 symbols in the table. */
KBENCH(symtab_lookup)
{
    enum { MAX = 10000 };
    struct symbol **syms = kzalloc(sizeof(*syms) * MAX);
    char name[32];
    unsigned n = 0, base = sym_count();
    if (!syms)
        return;
    unsigned targets[] = { 100 > base ? 100 - base : 1, MAX - base };
    const char *labels[] = { "symtab.lookup_100", "symtab.lookup_10000" };
    for (int t = 0; t < 2; t++) {
        for (; n < targets[t]; n++) {
            ksnprintf(name, sizeof(name), "bench_sym_%u", n);
            if (sym_register(name, (void *)(uintptr_t)(n + 1), SYM_FUNCTION, NULL, 0, &syms[n]) !=
                SYM_OK)
                break;
        }
        kbench_report(labels[t], kbench_cycles_to_ns_milli(lookup_cycles(n)), "ns");
    }
    kbench_report("symtab.symbols", (uint64_t)sym_count() * 1000, "count");
    for (unsigned i = 0; i < n; i++)
        sym_remove(syms[i]);
    kfree(syms);
}

static volatile uint64_t sink;

static __attribute__((noinline)) uint64_t bench_callee(uint64_t x)
{
    __asm__ volatile("");
    return x + 1;
}

/* A kernel caller reaching a module's export through its slot (one load
 * and an indirect call) against a direct call to the same function. */
KBENCH(symtab_slot_call)
{
    enum { CALLS = 100000 };
    struct symbol *s;
    if (sym_register("bench_callee", (void *)bench_callee, SYM_FUNCTION, NULL, 0, &s) != SYM_OK)
        return;
    uint64_t direct[ROUNDS], slot[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t acc = 0, start = rdtsc_ordered();
        for (int i = 0; i < CALLS; i++)
            acc += bench_callee(i);
        direct[r] = rdtsc_ordered() - start;
        start = rdtsc_ordered();
        for (int i = 0; i < CALLS; i++)
            acc += ((uint64_t(*)(uint64_t))sym_slot_load(s->slot))(i);
        slot[r] = rdtsc_ordered() - start;
        sink = acc;
    }
    uint64_t d = kbench_median(direct, ROUNDS), sl = kbench_median(slot, ROUNDS);
    kbench_report("symtab.direct_call", kbench_cycles_to_ns_milli(d) / CALLS, "ns");
    kbench_report("symtab.slot_call", kbench_cycles_to_ns_milli(sl) / CALLS, "ns");
    kbench_report("symtab.slot_call_vs_direct", d ? sl * 1000 / d : 0, "x");
    sym_remove(s);
}
