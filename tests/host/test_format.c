/* test_format.c — ksnprintf/kvsnprintf (kernel/lib/format.c): every
 * conversion, flags, width and precision, length modifiers, 64-bit extremes,
 * truncation and the C99 return value. Where the behaviour is C's, the
 * host's snprintf is the reference. */
#include "htest.h"
#include <wisp/format.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Hides a format from -Wformat, for the flag mixes it rightly warns about
 * (C defines them: '-' beats '0', '+' beats ' ', a precision beats '0'). */
__attribute__((noinline)) static const char *unchecked(const char *fmt) { return fmt; }

/* Formats and checks both the text and the return value (its length). */
#define EXPECT_FORMAT(expected, ...) \
    do { \
        char buf_[256]; \
        memset(buf_, 'Z', sizeof(buf_)); \
        int n_ = ksnprintf(buf_, sizeof(buf_), __VA_ARGS__); \
        EXPECT_STREQ(buf_, expected); \
        EXPECT_EQ(n_, (int)strlen(expected)); \
    } while (0)

/* Formats with both ksnprintf and the host's snprintf; they must agree. */
#define EXPECT_LIKE_LIBC(...) \
    do { \
        char ours_[256], libc_[256]; \
        int n_ours_ = ksnprintf(ours_, sizeof(ours_), __VA_ARGS__); \
        int n_libc_ = snprintf(libc_, sizeof(libc_), __VA_ARGS__); \
        EXPECT_STREQ(ours_, libc_); \
        EXPECT_EQ(n_ours_, n_libc_); \
    } while (0)

HTEST(format_plain_text_is_copied)
{
    EXPECT_FORMAT("", "%s", "");
    EXPECT_FORMAT("hello, world", "hello, world");
    EXPECT_FORMAT("100%", "100%%");
    EXPECT_FORMAT("%%", "%%%%");
}

HTEST(format_signed_decimal)
{
    EXPECT_FORMAT("0", "%d", 0);
    EXPECT_FORMAT("42", "%d", 42);
    EXPECT_FORMAT("-42", "%d", -42);
    EXPECT_FORMAT("-1 7", "%i %i", -1, 7);
    EXPECT_FORMAT("2147483647", "%d", INT_MAX);
    EXPECT_FORMAT("-2147483648", "%d", INT_MIN);
}

HTEST(format_unsigned_hex_octal)
{
    EXPECT_FORMAT("4294967295", "%u", UINT_MAX);
    EXPECT_FORMAT("ff", "%x", 255u);
    EXPECT_FORMAT("FF", "%X", 255u);
    EXPECT_FORMAT("deadbeef", "%x", 0xdeadbeefu);
    EXPECT_FORMAT("DEADBEEF", "%X", 0xdeadbeefu);
    EXPECT_FORMAT("17", "%o", 15u);
    EXPECT_FORMAT("0 0 0", "%u %x %o", 0u, 0u, 0u);
    /* A negative int through %u/%x is its 32-bit pattern, as in C. */
    EXPECT_FORMAT("ffffffff", "%x", -1);
    EXPECT_FORMAT("4294967295", "%u", -1);
}

HTEST(format_64_bit_extremes)
{
    EXPECT_FORMAT("9223372036854775807", "%ld", (long)INT64_MAX);
    EXPECT_FORMAT("-9223372036854775808", "%ld", (long)INT64_MIN);
    EXPECT_FORMAT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    EXPECT_FORMAT("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
    EXPECT_FORMAT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
    EXPECT_FORMAT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
    EXPECT_FORMAT("FFFFFFFFFFFFFFFF", "%llX", (unsigned long long)UINT64_MAX);
    EXPECT_FORMAT("1777777777777777777777", "%lo", (unsigned long)UINT64_MAX);
    EXPECT_FORMAT("8000000000000000", "%lx", (unsigned long)INT64_MIN);
    EXPECT_FORMAT("ffffffff80100000", "%lx", 0xffffffff80100000ul);
}

HTEST(format_length_modifiers_truncate_and_widen)
{
    EXPECT_FORMAT("-56", "%hhd", 200);
    EXPECT_FORMAT("44", "%hhu", 300);
    EXPECT_FORMAT("ff", "%hhx", -1);
    EXPECT_FORMAT("4464", "%hd", 70000);
    EXPECT_FORMAT("-1", "%hd", 0xffff);
    EXPECT_FORMAT("65535", "%hu", -1);
    EXPECT_FORMAT("18446744073709551615", "%zu", SIZE_MAX);
    EXPECT_FORMAT("-5", "%zd", (ssize_t)-5);
    EXPECT_FORMAT("-9223372036854775808", "%td", (ptrdiff_t)PTRDIFF_MIN);
    EXPECT_FORMAT("-9223372036854775808", "%jd", INTMAX_MIN);
    EXPECT_FORMAT("18446744073709551615", "%ju", UINTMAX_MAX);
}

HTEST(format_width_pads_left_with_spaces)
{
    EXPECT_FORMAT("   42", "%5d", 42);
    EXPECT_FORMAT("  -42", "%5d", -42);
    EXPECT_FORMAT("12345678", "%5d", 12345678);
    EXPECT_FORMAT("   ab", "%5s", "ab");
    EXPECT_FORMAT("    x", "%5c", 'x');
    EXPECT_FORMAT("  ff", "%4x", 255u);
}

HTEST(format_minus_flag_pads_right)
{
    EXPECT_FORMAT("42   |", "%-5d|", 42);
    EXPECT_FORMAT("-42  |", "%-5d|", -42);
    EXPECT_FORMAT("ab   |", "%-5s|", "ab");
    EXPECT_FORMAT("x    |", "%-5c|", 'x');
    /* '-' wins over '0'. */
    EXPECT_FORMAT("42   |", unchecked("%-05d|"), 42);
}

HTEST(format_zero_flag_pads_after_the_sign)
{
    EXPECT_FORMAT("00042", "%05d", 42);
    EXPECT_FORMAT("-0042", "%05d", -42);
    EXPECT_FORMAT("+0042", "%+05d", 42);
    EXPECT_FORMAT("000000ff", "%08x", 255u);
    EXPECT_FORMAT("0000000000000001", "%016lx", 1ul);
    /* With a precision the '0' flag is ignored, as in C. */
    EXPECT_FORMAT("  042", unchecked("%05.3d"), 42);
}

HTEST(format_plus_and_space_flags_on_signed)
{
    EXPECT_FORMAT("+42", "%+d", 42);
    EXPECT_FORMAT("-42", "%+d", -42);
    EXPECT_FORMAT("+0", "%+d", 0);
    EXPECT_FORMAT(" 42", "% d", 42);
    EXPECT_FORMAT("-42", "% d", -42);
    /* '+' wins over ' '. */
    EXPECT_FORMAT("+42", unchecked("%+ d"), 42);
    EXPECT_FORMAT("+42", unchecked("% +d"), 42);
}

HTEST(format_precision_gives_minimum_digits)
{
    EXPECT_FORMAT("00042", "%.5d", 42);
    EXPECT_FORMAT("-00042", "%.5d", -42);
    EXPECT_FORMAT("   00042", "%8.5d", 42);
    EXPECT_FORMAT("00042   |", "%-8.5d|", 42);
    EXPECT_FORMAT("000000ff", "%.8x", 255u);
    EXPECT_FORMAT("42", "%.1d", 42);
    EXPECT_FORMAT("00000000000000000001", "%.20d", 1);
}

/* As in C: precision 0 prints no digit for the value zero. */
HTEST(format_zero_at_precision_zero_prints_no_digit)
{
    EXPECT_FORMAT("", "%.0d", 0);
    EXPECT_FORMAT("    ", "%4.0x", 0u);
    EXPECT_FORMAT("7", "%.0u", 7u);
}

HTEST(format_precision_limits_strings)
{
    EXPECT_FORMAT("hel", "%.3s", "hello");
    EXPECT_FORMAT("", "%.0s", "hello");
    EXPECT_FORMAT("hello", "%.10s", "hello");
    EXPECT_FORMAT("  hel", "%5.3s", "hello");
    EXPECT_FORMAT("hel  |", "%-5.3s|", "hello");
}

/* As in C, "%.3s" may point at an array of 3 chars with no NUL. */
HTEST(format_string_precision_reads_no_byte_past_it)
{
    char unterminated[3] = { 'a', 'b', 'c' };
    EXPECT_FORMAT("abc", "%.3s", unterminated);
    EXPECT_FORMAT("ab", "%.2s", unterminated);
}

HTEST(format_star_takes_width_and_precision_from_arguments)
{
    EXPECT_FORMAT("   42", "%*d", 5, 42);
    EXPECT_FORMAT("42   |", "%*d|", -5, 42);
    EXPECT_FORMAT("00042", "%.*d", 5, 42);
    EXPECT_FORMAT("  hel", "%*.*s", 5, 3, "hello");
    EXPECT_FORMAT("hello", "%.*s", 5, "hello, world");
}

HTEST(format_string_and_char)
{
    EXPECT_FORMAT("abc", "%s", "abc");
    EXPECT_FORMAT("a-b", "%s-%s", "a", "b");
    EXPECT_FORMAT("(null)", unchecked("%s"), (char *)NULL);
    EXPECT_FORMAT("A", "%c", 'A');
    EXPECT_FORMAT("xyz", "%c%c%c", 'x', 'y', 'z');
    EXPECT_FORMAT("\xe2\x80\x94", "%s", "\xe2\x80\x94"); /* UTF-8 passes through */
}

HTEST(format_pointer_is_0x_and_hex)
{
    EXPECT_FORMAT("0x1000", "%p", (void *)0x1000);
    EXPECT_FORMAT("0xffffffff80100000", "%p", (void *)0xffffffff80100000ul);
    EXPECT_FORMAT("0x0", "%p", NULL);
    EXPECT_FORMAT("    0x1000", "%10p", (void *)0x1000);
    EXPECT_FORMAT("0x1000    |", "%-10p|", (void *)0x1000);
    /* The host's %p agrees for non-NULL pointers. */
    int local;
    EXPECT_LIKE_LIBC("%p", (void *)&local);
    EXPECT_LIKE_LIBC("[%24p]", (void *)&local);
}

HTEST(format_odd_specifiers_are_printed_not_fatal)
{
    /* Unknown conversions are echoed; a lone '%' at the end is dropped. */
    EXPECT_FORMAT("%y", unchecked("%y"));
    EXPECT_FORMAT("abc", unchecked("abc%"));
}

/* ksnprintf into a heap buffer of exactly `size` bytes (ASan catches any
 * write past it); returns the buffer, which the caller frees. */
static char *format_into_exact(size_t size, int *ret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *format_into_exact(size_t size, int *ret, const char *fmt, ...)
{
    char *buf = malloc(size ? size : 1);
    memset(buf, 'Z', size ? size : 1);
    va_list ap;
    va_start(ap, fmt);
    *ret = kvsnprintf(size ? buf : NULL, size, fmt, ap);
    va_end(ap);
    return buf;
}

HTEST(format_truncates_and_returns_full_length)
{
    const char *full = "value=-12345 name=wisp!";
    size_t len = strlen(full);
    for (size_t size = 0; size <= len + 2; size++) {
        int ret;
        char *buf = format_into_exact(size, &ret, "value=%d name=%s!", -12345, "wisp");
        EXPECT_EQ(ret, (int)len);
        if (size > 0) {
            size_t kept = size - 1 < len ? size - 1 : len;
            EXPECT_MEM_EQ(buf, full, kept);
            EXPECT_EQ(buf[kept], '\0');
        }
        free(buf);
    }
}

HTEST(format_size_zero_writes_nothing)
{
    char sentinel = 'Z';
    EXPECT_EQ(ksnprintf(NULL, 0, "%s=%d", "abc", 12345), 9);
    EXPECT_EQ(ksnprintf(&sentinel, 0, "xyz"), 3);
    EXPECT_EQ(sentinel, 'Z');
}

HTEST(format_size_one_gives_empty_string)
{
    char buf[2] = { 'Z', 'Z' };
    EXPECT_EQ(ksnprintf(buf, 1, "%d", 123456), 6);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'Z');
}

HTEST(format_truncation_inside_padding_and_numbers)
{
    int ret;
    char *buf = format_into_exact(4, &ret, "%10d", 42);
    EXPECT_EQ(ret, 10);
    EXPECT_STREQ(buf, "   ");
    free(buf);
    buf = format_into_exact(6, &ret, "%lu", (unsigned long)UINT64_MAX);
    EXPECT_EQ(ret, 20);
    EXPECT_STREQ(buf, "18446");
    free(buf);
    buf = format_into_exact(3, &ret, "%p", (void *)0xabcdef);
    EXPECT_EQ(ret, 8);
    EXPECT_STREQ(buf, "0x");
    free(buf);
}

HTEST(format_long_output_is_counted_past_the_buffer)
{
    char buf[8];
    int n = ksnprintf(buf, sizeof(buf), "%200s|%-100d|", "x", 7);
    EXPECT_EQ(n, 200 + 1 + 100 + 1);
    EXPECT_STREQ(buf, "       ");
}

/* Every combination of flags, width, precision, length and conversion that
 * C defines the same way as format.h, against the host's snprintf. */
HTEST(format_flag_width_precision_matrix_matches_libc)
{
    static const char *const flags[] = { "", "-", "0", " ", "+", "-0", "-+", "0+", "- ", "0 " };
    static const char *const widths[] = { "", "1", "6", "25" };
    static const char *const precisions[] = { "", ".0", ".1", ".4", ".21" };
    static const char *const lengths[] = { "hh", "h", "", "l", "ll", "z" };
    static const char conversions[] = "diuxXo";
    static const long long values[] = { 0,
                                        1,
                                        -1,
                                        7,
                                        -7,
                                        127,
                                        -128,
                                        255,
                                        32767,
                                        -32768,
                                        65535,
                                        INT_MAX,
                                        INT_MIN,
                                        UINT_MAX,
                                        INT64_MAX,
                                        INT64_MIN,
                                        0x123456789abcdefll };
    unsigned compared = 0;
    for (size_t f = 0; f < sizeof(flags) / sizeof(*flags); f++)
        for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
            for (size_t p = 0; p < sizeof(precisions) / sizeof(*precisions); p++)
                for (size_t l = 0; l < sizeof(lengths) / sizeof(*lengths); l++)
                    for (size_t c = 0; conversions[c]; c++)
                        for (size_t v = 0; v < sizeof(values) / sizeof(*values); v++) {
                            bool wide = lengths[l][0] == 'l' || lengths[l][0] == 'z';
                            char fmt[32], ours[128], libc[128];
                            snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags[f], widths[w],
                                     precisions[p], lengths[l], conversions[c]);
                            int n_ours = wide ? ksnprintf(ours, sizeof(ours), fmt, values[v])
                                              : ksnprintf(ours, sizeof(ours), fmt, (int)values[v]);
                            int n_libc = wide ? snprintf(libc, sizeof(libc), fmt, values[v])
                                              : snprintf(libc, sizeof(libc), fmt, (int)values[v]);
                            if (strcmp(ours, libc) != 0 || n_ours != n_libc) {
                                HTEST_FAIL("format \"%s\" of %lld: \"%s\" (%d) vs libc \"%s\" (%d)",
                                           fmt, values[v], ours, n_ours, libc, n_libc);
                                if (ctx->failures > 10)
                                    return;
                            }
                            compared++;
                        }
    EXPECT_GT(compared, 10000u);
}
