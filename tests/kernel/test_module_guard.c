/* test_module_guard.c — export guards (debug builds): a call through a
 * guard passes its arguments and result unchanged, and each contract
 * violation is reported once, naming "module:function" and the clause. */
#include <wisp/ktest.h>
#include <wisp/sched.h>
#include <locks/mutex.h>
#include <locks/lockdep.h>
#include "modload/module_guard.h"
#include "modload/module.h"
#include "modload/symtab.h"
#include "modload/dispatch.h"
#include <string.h>

/* clang-format off */
#define FIELDS(ctx, sl, re) "{\ncontext " ctx "\nsleeps " sl "\nreentrant " re \
                            "\nuser-callable no\nupdate concurrent\n"
static const char guard_manifest_text[] =
    "module gtest\nversion 1.0\nlock gtest.held\nlock gtest.inner\n"
    "export g_sum " FIELDS("any", "never", "yes") "}\n"
    "export g_sleeper " FIELDS("process", "never", "yes") "}\n"
    "export g_holder " FIELDS("process", "may", "yes") "caller-holds gtest.held\n}\n"
    "export g_single " FIELDS("process", "may", "no") "}\n"
    "export g_locker " FIELDS("process", "may", "yes") "acquires gtest.inner\n}\n"
    "export g_sneaky " FIELDS("process", "may", "yes") "}\n";
/* clang-format on */

static struct mod_manifest guard_manifest;
static struct module_guard guards[6];
static struct mutex inner = MUTEX_INIT(inner, "gtest.inner");

static uint64_t sum(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e;
}

static uint64_t sleeper(void)
{
    sched_sleep_ns(1000);
    return 0;
}

static uint64_t nothing(void) { return 7; }

static uint64_t single(uint64_t depth)
{
    if (depth) /* enters itself again: not reentrant */
        module_guard_invoke(&guards[3], depth - 1, 0, 0, 0, 0);
    return depth;
}

static uint64_t take_inner(void)
{
    mutex_lock(&inner);
    mutex_unlock(&inner);
    return 1;
}

static bool guards_ready(void)
{
    static void *const impl[] = { sum, sleeper, nothing, single, take_inner, take_inner };
    if (guard_manifest.export_count)
        return true;
    if (mod_manifest_parse(&guard_manifest, guard_manifest_text, strlen(guard_manifest_text),
                           "gtest", NULL) != MOD_MANIFEST_OK)
        return false;
    for (unsigned i = 0; i < ARRAY_SIZE(guards); i++)
        module_guard_init(&guards[i], &guard_manifest, i, impl[i]);
    return true;
}

KTEST(module_guard_passes_arguments_and_result_through)
{
    KASSERT_TRUE(guards_ready());
    KEXPECT_EQ(module_guard_invoke(&guards[0], 1, 10, 100, 1000, 10000), 54321);
}

#if WISP_LOCKDEP_ENABLED
#define EXPECT_GUARD_REPORT(problem_, who_, call_) \
    do { \
        uint64_t before_ = lockdep_report_count(problem_); \
        lockdep_expect_begin(); \
        call_; \
        KEXPECT_EQ(lockdep_expect_end(), 1); \
        KEXPECT_EQ(lockdep_report_count(problem_), before_ + 1); \
        KEXPECT_STREQ(lockdep_last_report().who, who_); \
    } while (0)

KTEST(module_guard_reports_a_sleep_in_a_sleeps_never_export)
{
    KASSERT_TRUE(guards_ready());
    EXPECT_GUARD_REPORT(LOCKDEP_CONTRACT_NOSLEEP, "gtest:g_sleeper",
                        module_guard_invoke(&guards[1], 0, 0, 0, 0, 0));
}

KTEST(module_guard_reports_a_caller_holds_class_not_held)
{
    KASSERT_TRUE(guards_ready());
    EXPECT_GUARD_REPORT(LOCKDEP_CONTRACT_REQUIRE_HELD, "gtest:g_holder",
                        module_guard_invoke(&guards[2], 0, 0, 0, 0, 0));
}

KTEST(module_guard_reports_a_non_reentrant_export_entered_twice)
{
    KASSERT_TRUE(guards_ready());
    EXPECT_GUARD_REPORT(LOCKDEP_CONTRACT_REENTERED, "gtest:g_single",
                        KEXPECT_EQ(module_guard_invoke(&guards[3], 1, 0, 0, 0, 0), 1));
}

KTEST(module_guard_reports_a_class_taken_but_not_in_acquires)
{
    KASSERT_TRUE(guards_ready());
    lockdep_expect_begin();
    KEXPECT_EQ(module_guard_invoke(&guards[4], 0, 0, 0, 0, 0), 1); /* declared: fine */
    KEXPECT_EQ(lockdep_expect_end(), 0);
    EXPECT_GUARD_REPORT(LOCKDEP_CONTRACT_UNDECLARED_CLASS, "gtest:g_sneaky",
                        module_guard_invoke(&guards[5], 0, 0, 0, 0, 0));
    KEXPECT_STREQ(lockdep_last_report().class_a, "gtest.inner");
}

KTEST(module_guard_real_exports_are_called_through_thunks)
{
    extern char module_guard_thunk[];
    uint32_t slot;
    struct mod_error err;
    KASSERT_EQ(module_bind("counter_add", &slot, &err), MOD_OK);
    /* The slot holds the dispatch thunk; the version's implementation of
     * the export is its guard thunk (modload/dispatch.h). */
    struct module *m = module_find("counter");
    KASSERT_TRUE(m != NULL);
    int index = mod_dispatch_export_index(m->identity, "counter_add");
    KASSERT_GE(index, 0);
    KEXPECT_EQ((uint64_t)sym_slot_load(slot),
               (uint64_t)mod_dispatch_thunk(m->identity, (uint32_t)index));
    const uint8_t *thunk = m->impl[index];
    KEXPECT_EQ(thunk[0], 0x49); /* movabs $guard, %r11 */
    KEXPECT_EQ(thunk[1], 0xbb);
    KEXPECT_EQ(thunk[10], 0xe9); /* jmp module_guard_thunk */
    int32_t rel;
    memcpy(&rel, thunk + 11, 4);
    KEXPECT_EQ((uint64_t)thunk + 15 + (int64_t)rel, (uint64_t)module_guard_thunk);
}
#endif /* WISP_LOCKDEP_ENABLED */
