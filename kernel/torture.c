/* torture.c — runs registered tortures and prints their summary lines. */
#include <wisp/torture.h>
#include <wisp/printk.h>
#include <wisp/boot.h>
#include <wisp/time.h>
#include <locks/lockdep.h>
#include <string.h>

extern const struct torture __torture_start[], __torture_end[];

static const struct torture *find(const char *name, size_t len)
{
    for (const struct torture *t = __torture_start; t < __torture_end; t++)
        if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
            return t;
    return NULL;
}

static struct torture_result run(const struct torture *t, uint64_t duration_ms, bool busted)
{
    struct torture_params p = { duration_ms * NSEC_PER_MSEC, busted };
    struct torture_result r = { 0 };
    uint64_t start = clock_ns();
    uint64_t lockdep_before = lockdep_reports_unexpected();
    t->fn(&p, &r);
    if (lockdep_reports_unexpected() != lockdep_before) { /* a locking bug under load */
        r.success = false;
        r.errors++;
    }
    uint64_t ms = (clock_ns() - start) / NSEC_PER_MSEC;
    kprintf("torture: %s%s %s ops=%lu grace_periods=%lu errors=%lu time=%lums %s\n", t->name,
            busted ? " (busted)" : "", r.success ? "SUCCESS" : "FAILURE", r.ops, r.grace_periods,
            r.errors, ms, r.detail);
    return r;
}

struct torture_result torture_run(const char *name, uint64_t duration_ms, bool busted)
{
    const struct torture *t = find(name, strlen(name));
    if (!t) {
        kprintf("torture: no torture named %s\n", name);
        return (struct torture_result){ .success = false, .errors = 1 };
    }
    return run(t, duration_ms, busted);
}

bool torture_mode(void) { return boot_arg("torture") != NULL; }

static uint64_t arg_number(const char *key, uint64_t fallback)
{
    const char *v = boot_arg(key);
    if (!v || *v < '0' || *v > '9')
        return fallback;
    uint64_t n = 0;
    while (*v >= '0' && *v <= '9')
        n = n * 10 + (uint64_t)(*v++ - '0');
    return n;
}

bool torture_run_selected(void)
{
    const char *list = boot_arg("torture");
    uint64_t seconds = arg_number("torture_duration", 10);
    bool busted = boot_arg("torture_busted") != NULL;
    bool all = !*list || *list == ' ' || strncmp(list, "all", 3) == 0;
    bool ok = true;
    unsigned ran = 0;
    for (const struct torture *t = __torture_start; t < __torture_end; t++) {
        bool chosen = all;
        for (const char *p = list; !chosen && *p && *p != ' ';) {
            size_t n = 0;
            while (p[n] && p[n] != ',' && p[n] != ' ')
                n++;
            chosen = n == strlen(t->name) && strncmp(p, t->name, n) == 0;
            p += n + (p[n] == ',');
        }
        if (!chosen)
            continue;
        ran++;
        ok &= run(t, seconds * 1000, busted).success;
    }
    if (!ran) {
        kprintf("torture: nothing matches '%s'\n", list);
        return false;
    }
    kprintf("# torture done: %s\n", ok ? "SUCCESS" : "FAILURE");
    return ok;
}
