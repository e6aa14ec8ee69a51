/* ulib.c — strings, numbers and output for the Wisp tools (ulib.h). */
#include "ulib.h"
#include <ghost.h>

size_t u_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

bool u_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

bool u_parse_number(const char *s, uint64_t *out)
{
    uint64_t n = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *out = n;
    return true;
}

void u_put(const char *s) { write(s, u_strlen(s)); }

/* n spaces, in writes of at most 32. */
static void put_spaces(size_t n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        write(spaces, k);
        n -= k;
    }
}

void u_put_column(const char *s, size_t width)
{
    size_t n = u_strlen(s);
    write(s, n);
    put_spaces((n < width ? width - n : 0) + 1);
}

/* Writes n's digits into the end of text: where they start. */
static char *format_number(uint64_t n, char *end)
{
    char *p = end;
    do
        *--p = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    return p;
}

void u_put_number(uint64_t n)
{
    char text[24];
    char *start = format_number(n, text + sizeof(text));
    write(start, (size_t)(text + sizeof(text) - start));
}

void u_put_hex(uint64_t n, unsigned digits)
{
    char text[16];
    unsigned length = 0;
    do {
        text[sizeof(text) - 1 - length++] = "0123456789abcdef"[n & 15];
        n >>= 4;
    } while (n && length < sizeof(text));
    while (length < digits && length < sizeof(text))
        text[sizeof(text) - 1 - length++] = '0';
    write(text + sizeof(text) - length, length);
}

void u_put_number_column(uint64_t n, size_t width)
{
    char text[24];
    char *start = format_number(n, text + sizeof(text));
    size_t length = (size_t)(text + sizeof(text) - start);
    put_spaces(length < width ? width - length : 0);
    write(start, length);
    write(" ", 1);
}

void u_put_signed(long n)
{
    if (n < 0) {
        write("-", 1);
        u_put_number((uint64_t)0 - (uint64_t)n);
    } else {
        u_put_number((uint64_t)n);
    }
}

void u_put_version(uint32_t version)
{
    u_put_number(version >> 16);
    write(".", 1);
    u_put_number(version & 0xffff);
}
