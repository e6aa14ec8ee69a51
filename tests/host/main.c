/* main.c — the host unit-test runner (see htest.h for how to write tests).
 *
 * Runs each selected test in a child process so that a crash, a sanitizer
 * report or a hang (HTEST_TIMEOUT_S) fails that one test and the run goes
 * on. The child's exit status tells the parent what happened: 0 passed,
 * HTEST_EXIT_FAILED expectations failed, anything else is a crash.
 */
#include "htest.h"
#include <ctype.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { HTEST_EXIT_FAILED = 3, HTEST_TIMEOUT_S = 20 };

static struct htest *tests;
static size_t test_count;

void htest_register(struct htest *test)
{
    test->next = tests;
    tests = test;
    test_count++;
}

void htest_fail(struct htest_ctx *ctx, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    ctx->failures++;
    printf("    # %s: %s:%d: ", ctx->name, file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void htest_fail_int(struct htest_ctx *ctx, const char *file, int line, const char *expr,
                    bool is_signed, unsigned long long a, unsigned long long b)
{
    if (is_signed)
        htest_fail(ctx, file, line, "expected %s, got %lld (0x%llx) vs %lld (0x%llx)", expr,
                   (long long)a, a, (long long)b, b);
    else
        htest_fail(ctx, file, line, "expected %s, got %llu (0x%llx) vs %llu (0x%llx)", expr, a, a,
                   b, b);
}

/* Writes s quoted, with non-printable bytes escaped, into out. */
static void quote(char *out, size_t size, const char *s)
{
    if (!s) {
        snprintf(out, size, "(null)");
        return;
    }
    size_t n = 0;
    out[n++] = '"';
    for (; *s && n + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            n += (size_t)snprintf(out + n, size - n, "\\%c", c);
        else if (isprint(c))
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
    }
    if (*s)
        n += (size_t)snprintf(out + n, size - n, "...");
    snprintf(out + n, size - n, "\"");
}

void htest_fail_str(struct htest_ctx *ctx, const char *file, int line, const char *expr,
                    const char *a, const char *b)
{
    char qa[512], qb[512];
    quote(qa, sizeof(qa), a);
    quote(qb, sizeof(qb), b);
    htest_fail(ctx, file, line, "expected %s, got %s vs %s", expr, qa, qb);
}

static void hex_window(char *out, size_t size, const unsigned char *p, size_t from, size_t to)
{
    size_t n = 0;
    out[0] = 0;
    for (size_t i = from; i < to && n + 4 < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s%02x", i == from ? "" : " ", p[i]);
}

void htest_fail_mem(struct htest_ctx *ctx, const char *file, int line, const char *expr,
                    const void *a, const void *b, size_t n)
{
    const unsigned char *pa = a, *pb = b;
    size_t first = 0;
    while (first < n && pa[first] == pb[first])
        first++;
    size_t from = first & ~(size_t)7, to = from + 16 < n ? from + 16 : n;
    char ha[64], hb[64];
    hex_window(ha, sizeof(ha), pa, from, to);
    hex_window(hb, sizeof(hb), pb, from, to);
    htest_fail(ctx, file, line,
               "expected %s (%zu bytes), first difference at offset %zu; "
               "bytes %zu..%zu: %s vs %s",
               expr, n, first, from, to - 1, ha, hb);
}

static bool selected(const struct htest *t, int nfilters, char **filters)
{
    if (nfilters == 0)
        return true;
    for (int i = 0; i < nfilters; i++)
        if (strncmp(t->name, filters[i], strlen(filters[i])) == 0)
            return true;
    return false;
}

static int by_file_and_line(const void *x, const void *y)
{
    const struct htest *a = *(struct htest *const *)x, *b = *(struct htest *const *)y;
    int c = strcmp(a->file, b->file);
    return c ? c : a->line - b->line;
}

/* Runs one test; returns NULL when it passed, else why it did not. */
static const char *run_one(const struct htest *t, bool use_fork, char *why, size_t size)
{
    struct htest_ctx ctx = { t->name, 0 };
    if (!use_fork) {
        t->fn(&ctx);
        return ctx.failures ? "" : NULL;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, size, "fork failed");
        return why;
    }
    if (pid == 0) {
        alarm(HTEST_TIMEOUT_S);
        t->fn(&ctx);
        fflush(stdout);
        _exit(ctx.failures ? HTEST_EXIT_FAILED : 0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return NULL;
    if (WIFEXITED(status) && WEXITSTATUS(status) == HTEST_EXIT_FAILED)
        return "";
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(why, size, "timed out after %d s", HTEST_TIMEOUT_S);
    else if (WIFSIGNALED(status))
        snprintf(why, size, "crashed: %s", strsignal(WTERMSIG(status)));
    else
        snprintf(why, size, "crashed: exit status %d (sanitizer report above?)",
                 WEXITSTATUS(status));
    return why;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    bool use_fork = true;
    int nfilters = 0;
    char **filters = calloc((size_t)argc, sizeof(*filters));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-fork") == 0)
            use_fork = false;
        else if (strcmp(argv[i], "--help") == 0 || argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [--no-fork] [NAME-PREFIX...]\n", argv[0]);
            return 2;
        } else
            filters[nfilters++] = argv[i];
    }

    struct htest **list = calloc(test_count + 1, sizeof(*list));
    size_t n = 0;
    for (struct htest *t = tests; t; t = t->next)
        if (selected(t, nfilters, filters))
            list[n++] = t;
    qsort(list, n, sizeof(*list), by_file_and_line);

    printf("1..%zu\n", n);
    unsigned passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char why[128];
        double start = now_ms();
        const char *result = run_one(list[i], use_fork, why, sizeof(why));
        if (result && *result)
            printf("    # %s: %s\n", list[i]->name, result);
        printf("%s %zu %s # %.0f ms\n", result ? "not ok" : "ok", i + 1, list[i]->name,
               now_ms() - start);
        fflush(stdout);
        if (result)
            failed++;
        else
            passed++;
    }
    if (nfilters && n == 0)
        fprintf(stderr, "host: no test name starts with the given prefix\n");
    printf("# host: %u passed, %u failed\n", passed, failed);
    free(list);
    free(filters);
    return failed || (nfilters && n == 0) ? 1 : 0;
}
