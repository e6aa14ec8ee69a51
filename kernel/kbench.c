/* kbench.c — runs registered in-kernel benchmarks (see kbench.h). */
#include <wisp/kbench.h>
#include <wisp/ktest.h>
#include <wisp/printk.h>
#include <wisp/boot.h>
#include <wisp/time.h>
#include <string.h>

extern const struct kbench __kbench_start[], __kbench_end[];

void kbench_report(const char *name, uint64_t value_milli, const char *unit)
{
    kprintf("bench: %s %lu.%03lu %s\n", name, value_milli / 1000, value_milli % 1000, unit);
}

uint64_t kbench_cycles_to_ns_milli(uint64_t cycles) { return tsc_to_ns(cycles * 1000); }

uint64_t kbench_median(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++) /* insertion sort: n is small */
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n ? v[n / 2] : 0;
}

bool kbench_mode(void) { return boot_arg("bench") != NULL; }

static bool selected(const char *filter, const char *name)
{
    if (!filter || !*filter || *filter == ' ' || strncmp(filter, "all", 3) == 0)
        return true;
    for (const char *p = filter; *p && *p != ' ';) {
        size_t n = 0;
        while (p[n] && p[n] != ',' && p[n] != ' ')
            n++;
        if (n && strncmp(name, p, n) == 0)
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

void kbench_run_selected(void)
{
    const char *filter = boot_arg("bench");
    for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
        if (!selected(filter, b->name))
            continue;
        kprintf("# bench %s\n", b->name);
        b->fn();
    }
    kprintf("# bench done\n");
}
