/* ktest.c — runs registered in-kernel tests and prints KTAP on the console. */
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <wisp/printk.h>
#include <wisp/boot.h>
#include <wisp/format.h>
#include <wisp/time.h>
#include <locks/lockdep.h>
#include <string.h>

extern const struct ktest __ktests_start[], __ktests_end[];

void ktest_fail(struct ktest_ctx *ctx, const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ctx->failures++;
    kprintf("    # %s: %s:%d: %s\n", ctx->name, file, line, msg);
}

/* "test" alone selects all; "test=a,b" selects names starting with a or b. */
static bool selected(const char *filter, const char *name)
{
    if (!filter || !*filter || strcmp(filter, "all") == 0)
        return true;
    const char *p = filter;
    while (*p && *p != ' ') {
        size_t n = 0;
        while (p[n] && p[n] != ',' && p[n] != ' ')
            n++;
        if (n && strncmp(name, p, n) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

static const struct ktest *find_test(const char *name)
{
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

static __noreturn void run_panic_test(const char *name)
{
    const struct ktest *t = find_test(name);
    if (!t || !t->expected_panic) {
        kprintf("ktest: no panic test named '%s'\n", name);
        qemu_exit(QEMU_EXIT_FAIL);
    }
    struct ktest_ctx ctx = { t->name, 0 };
    kprintf("ktest: panic test %s expects: %s\n", t->name, t->expected_panic);
    t->fn(&ctx);
    kprintf("ktest: panic test %s returned without panicking\n", t->name);
    qemu_exit(QEMU_EXIT_FAIL);
}

bool ktest_run_selected(void)
{
    char name[64];
    if (boot_arg_copy("panic_test", name, sizeof(name)))
        run_panic_test(name);

    const char *filter = boot_arg("test");
    unsigned total = 0, number = 0, failed = 0;
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
        if (!t->expected_panic && selected(filter, t->name))
            total++;

    kprintf("KTAP version 1\n1..%u\n", total);
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
        if (t->expected_panic) {
            kprintf("# panic-test %s\n", t->name);
            continue;
        }
        if (!selected(filter, t->name))
            continue;
        struct ktest_ctx ctx = { t->name, 0 };
        uint64_t start = clock_ns();
        uint64_t lockdep_before = lockdep_reports_unexpected();
        t->fn(&ctx);
        uint64_t lockdep_new = lockdep_reports_unexpected() - lockdep_before;
        if (lockdep_new) /* a lock validator report no test asked for */
            ktest_fail(&ctx, t->file, 0, "%lu unexpected lockdep report(s), see above",
                       lockdep_new);
        uint64_t ms = (clock_ns() - start) / NSEC_PER_MSEC;
        number++;
        if (ctx.failures)
            failed++;
        kprintf("%s %u %s # %lu ms\n", ctx.failures ? "not ok" : "ok", number, t->name, ms);
    }
    sched_stack_report();
    kprintf("# ktest: %u passed, %u failed\n", total - failed, failed);
    return failed == 0;
}
