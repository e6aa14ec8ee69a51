/* ktest.h — in-kernel tests, reported on the serial line in KTAP format.
 *
 * A test is a function registered with KTEST(name) next to the code it
 * tests (or under tests/kernel/). With "test" on the kernel command line the
 * kernel runs every test (or "test=PREFIX[,PREFIX...]" to select) in a
 * kernel thread and ends QEMU with a pass/fail status. A failed expectation
 * prints file, line and both values, and the test goes on; a failed
 * assertion ends the test.
 *
 * KTEST_PANIC(name, "text") registers a test that must panic with a message
 * containing "text"; it runs alone, in its own boot ("panic_test=name").
 */
#pragma once
#include <wisp/compiler.h>

struct ktest_ctx {
    const char *name;
    int failures;
};

struct ktest {
    const char *name;
    const char *file;
    void (*fn)(struct ktest_ctx *ctx);
    const char *expected_panic; /* non-NULL for KTEST_PANIC */
};

#define KTEST_REGISTER_(name_, panic_) \
    static void ktest_fn_##name_(struct ktest_ctx *ctx); \
    static const struct ktest ktest_desc_##name_ __section(".ktests") \
        __used __aligned(8) = { #name_, __FILE__, ktest_fn_##name_, panic_ }; \
    static void ktest_fn_##name_(struct ktest_ctx *ctx __unused)

#define KTEST(name)             KTEST_REGISTER_(name, NULL)
#define KTEST_PANIC(name, text) KTEST_REGISTER_(name, text)

void ktest_fail(struct ktest_ctx *ctx, const char *file, int line, const char *fmt, ...)
    __printf(4, 5);
/* Runs the tests the command line selects; true when none failed. */
bool ktest_run_selected(void);

#define KEXPECT_CMP_(a, op, b, onfail) \
    do { \
        long long ka_ = (long long)(a), kb_ = (long long)(b); \
        if (!(ka_ op kb_)) { \
            ktest_fail(ctx, __FILE__, __LINE__, "expected %s %s %s, got %lld vs %lld", #a, #op, \
                       #b, ka_, kb_); \
            onfail; \
        } \
    } while (0)

#define KEXPECT_EQ(a, b) KEXPECT_CMP_(a, ==, b, (void)0)
#define KEXPECT_NE(a, b) KEXPECT_CMP_(a, !=, b, (void)0)
#define KEXPECT_LT(a, b) KEXPECT_CMP_(a, <, b, (void)0)
#define KEXPECT_LE(a, b) KEXPECT_CMP_(a, <=, b, (void)0)
#define KEXPECT_GT(a, b) KEXPECT_CMP_(a, >, b, (void)0)
#define KEXPECT_GE(a, b) KEXPECT_CMP_(a, >=, b, (void)0)
#define KEXPECT_TRUE(c)  KEXPECT_CMP_(!!(c), ==, 1, (void)0)
#define KEXPECT_FALSE(c) KEXPECT_CMP_(!!(c), ==, 0, (void)0)

#define KASSERT_EQ(a, b) KEXPECT_CMP_(a, ==, b, return )
#define KASSERT_NE(a, b) KEXPECT_CMP_(a, !=, b, return )
#define KASSERT_GE(a, b) KEXPECT_CMP_(a, >=, b, return )
#define KASSERT_TRUE(c)  KEXPECT_CMP_(!!(c), ==, 1, return )

#define KEXPECT_STREQ(a, b) \
    do { \
        const char *sa_ = (a), *sb_ = (b); \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) \
            ktest_fail(ctx, __FILE__, __LINE__, "expected %s == %s: \"%s\" vs \"%s\"", #a, #b, \
                       sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
    } while (0)
