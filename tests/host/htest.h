/* htest.h — the host unit-test framework (tests/host/, run by `make test`).
 *
 * Pure code shared by kernel and host (formats, parsers, tables) is tested
 * here, on the host, under AddressSanitizer and UndefinedBehaviorSanitizer.
 *
 * Writing a test: create tests/host/test_<subject>.c. The Makefile compiles
 * every .c file of tests/host together with HOST_SHARED_SRC, so a new test
 * file needs no build change; a new shared source file is appended to
 * HOST_SHARED_SRC by its folder's build.mk.
 *
 *     #include "htest.h"
 *     #include <wisp/format.h>
 *
 *     HTEST(format_decimal_of_negative_number)
 *     {
 *         char buf[16];
 *         EXPECT_EQ(ksnprintf(buf, sizeof(buf), "%d", -42), 3);
 *         EXPECT_STREQ(buf, "-42");
 *     }
 *
 * Name tests after the behaviour they prove, prefixed by the subject
 * ("format_", "manifest_", ...): the runner takes name prefixes as a filter.
 * Test names must be unique across all files (they are C identifiers).
 *
 * Checks: EXPECT_* records a failure (file, line, the expression and both
 * values) and the test goes on; ASSERT_* records it and returns from the
 * test. Integer checks compare in the common type of both operands, as C
 * would; pointers go through EXPECT_PTR_EQ / EXPECT_NULL.
 *
 *     EXPECT_EQ NE LT LE GT GE (a, b)   integers
 *     EXPECT_TRUE / EXPECT_FALSE (c)
 *     EXPECT_STREQ / EXPECT_STRNE (a, b)   NUL-terminated strings
 *     EXPECT_MEM_EQ (a, b, n)              n bytes; shows the first difference
 *     EXPECT_PTR_EQ (a, b), EXPECT_NULL (p), EXPECT_NOT_NULL (p)
 *     ASSERT_EQ NE GE TRUE FALSE STREQ MEM_EQ NOT_NULL  the same, then return
 *     HTEST_FAIL (fmt, ...)                a failure with a free-form message
 *
 * Running: build/host/unit-tests [PREFIX...] runs every test whose name
 * starts with one of the prefixes (all tests without one). Each test runs in
 * a child process, so a crash or a sanitizer report fails that test alone;
 * --no-fork runs them in the runner itself (for gdb). Output is TAP-like:
 *
 *     1..N
 *         # name: file:line: message      (failure details, before the result)
 *     ok 1 name # 0 ms
 *     not ok 2 name # 1 ms
 *     # host: 1 passed, 1 failed
 *
 * The exit status is 0 when every selected test passed, 1 otherwise.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct htest_ctx {
    const char *name;
    int failures;
};

struct htest {
    const char *name;
    const char *file;
    int line;
    void (*fn)(struct htest_ctx *ctx);
    struct htest *next; /* registration list, owned by main.c */
};

void htest_register(struct htest *test);
void htest_fail(struct htest_ctx *ctx, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void htest_fail_int(struct htest_ctx *ctx, const char *file, int line, const char *expr,
                    bool is_signed, unsigned long long a, unsigned long long b);
void htest_fail_str(struct htest_ctx *ctx, const char *file, int line, const char *expr,
                    const char *a, const char *b);
void htest_fail_mem(struct htest_ctx *ctx, const char *file, int line, const char *expr,
                    const void *a, const void *b, size_t n);

/* A constructor adds each test to the list before main runs. */
#define HTEST(name_) \
    static void htest_fn_##name_(struct htest_ctx *ctx); \
    static struct htest htest_desc_##name_ = { #name_, __FILE__, __LINE__, htest_fn_##name_, \
                                               NULL }; \
    __attribute__((constructor)) static void htest_register_##name_(void) \
    { \
        htest_register(&htest_desc_##name_); \
    } \
    static void htest_fn_##name_(struct htest_ctx *ctx __attribute__((unused)))

/* True when the usual arithmetic conversions of a and b give an unsigned
 * type; then the comparison is done unsigned, as C itself would do it. */
#define HTEST_UNSIGNED_(a, b) \
    _Generic((a) + (b), unsigned int \
             : true, unsigned long \
             : true, unsigned long long \
             : true, default \
             : false)

#define HTEST_CMP_(a, op, b, onfail) \
    do { \
        bool u_ = HTEST_UNSIGNED_(a, b); \
        unsigned long long a_ = (unsigned long long)(a); \
        unsigned long long b_ = (unsigned long long)(b); \
        bool ok_ = u_ ? (a_ op b_) : ((long long)a_ op(long long) b_); \
        if (!ok_) { \
            htest_fail_int(ctx, __FILE__, __LINE__, #a " " #op " " #b, !u_, a_, b_); \
            onfail; \
        } \
    } while (0)

#define HTEST_STR_(a, equal, op, b, onfail) \
    do { \
        const char *a_ = (a), *b_ = (b); \
        bool same_ = a_ && b_ ? strcmp(a_, b_) == 0 : a_ == b_; \
        if (same_ != (equal)) { \
            htest_fail_str(ctx, __FILE__, __LINE__, #a " " op " " #b, a_, b_); \
            onfail; \
        } \
    } while (0)

#define HTEST_MEM_(a, b, n, onfail) \
    do { \
        const void *a_ = (a), *b_ = (b); \
        size_t n_ = (n); \
        if (memcmp(a_, b_, n_) != 0) { \
            htest_fail_mem(ctx, __FILE__, __LINE__, #a " == " #b, a_, b_, n_); \
            onfail; \
        } \
    } while (0)

#define HTEST_PTR_(a, equal, b, onfail) \
    do { \
        const void *a_ = (a), *b_ = (b); \
        if ((a_ == b_) != (equal)) { \
            htest_fail(ctx, __FILE__, __LINE__, "expected %s %s %s, got %p vs %p", #a, \
                       (equal) ? "==" : "!=", #b, a_, b_); \
            onfail; \
        } \
    } while (0)

#define EXPECT_EQ(a, b)        HTEST_CMP_(a, ==, b, (void)0)
#define EXPECT_NE(a, b)        HTEST_CMP_(a, !=, b, (void)0)
#define EXPECT_LT(a, b)        HTEST_CMP_(a, <, b, (void)0)
#define EXPECT_LE(a, b)        HTEST_CMP_(a, <=, b, (void)0)
#define EXPECT_GT(a, b)        HTEST_CMP_(a, >, b, (void)0)
#define EXPECT_GE(a, b)        HTEST_CMP_(a, >=, b, (void)0)
#define EXPECT_TRUE(c)         HTEST_CMP_(!!(c), ==, 1, (void)0)
#define EXPECT_FALSE(c)        HTEST_CMP_(!!(c), ==, 0, (void)0)
#define EXPECT_STREQ(a, b)     HTEST_STR_(a, true, "==", b, (void)0)
#define EXPECT_STRNE(a, b)     HTEST_STR_(a, false, "!=", b, (void)0)
#define EXPECT_MEM_EQ(a, b, n) HTEST_MEM_(a, b, n, (void)0)
#define EXPECT_PTR_EQ(a, b)    HTEST_PTR_(a, true, b, (void)0)
#define EXPECT_NULL(p)         HTEST_PTR_(p, true, NULL, (void)0)
#define EXPECT_NOT_NULL(p)     HTEST_PTR_(p, false, NULL, (void)0)

#define ASSERT_EQ(a, b)        HTEST_CMP_(a, ==, b, return )
#define ASSERT_NE(a, b)        HTEST_CMP_(a, !=, b, return )
#define ASSERT_GE(a, b)        HTEST_CMP_(a, >=, b, return )
#define ASSERT_TRUE(c)         HTEST_CMP_(!!(c), ==, 1, return )
#define ASSERT_FALSE(c)        HTEST_CMP_(!!(c), ==, 0, return )
#define ASSERT_STREQ(a, b)     HTEST_STR_(a, true, "==", b, return )
#define ASSERT_MEM_EQ(a, b, n) HTEST_MEM_(a, b, n, return )
#define ASSERT_NOT_NULL(p)     HTEST_PTR_(p, false, NULL, return )

#define HTEST_FAIL(...) htest_fail(ctx, __FILE__, __LINE__, __VA_ARGS__)
