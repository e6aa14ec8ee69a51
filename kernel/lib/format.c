/* format.c — printf-style formatting (see wisp/format.h). No allocation,
 * no locks: safe from any context, including panic and NMI-like paths. */
#include <wisp/format.h>
#include <stdint.h>
#include <stdbool.h>

struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

struct spec {
    bool left, zero, plus, space;
    int width;
    int precision; /* -1 when absent */
};

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    int n = 0;
    while ((sp->precision < 0 || n < sp->precision) && s[n])
        n++;
    if (!sp->left)
        pad(o, ' ', sp->width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', sp->width - n);
}

static void put_number(struct out *o, const struct spec *sp, uint64_t v, bool is_signed,
                       bool negative, unsigned base, bool upper, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    while (v || (n == 0 && sp->precision != 0)) { /* C: "%.0d" of 0 is empty */
        tmp[n++] = digits[v % base];
        v /= base;
    }
    while (n < sp->precision && n < (int)sizeof(tmp))
        tmp[n++] = '0';

    /* '+' and ' ' apply to signed conversions only (C99 7.19.6.1). */
    char sign = negative ? '-' : !is_signed ? 0 : sp->plus ? '+' : sp->space ? ' ' : 0;
    if (!prefix)
        prefix = "";
    int prefix_len = 0;
    while (prefix[prefix_len])
        prefix_len++;
    int total = n + (sign != 0) + prefix_len;
    bool zero_pad = sp->zero && !sp->left && sp->precision < 0;

    if (!sp->left && !zero_pad)
        pad(o, ' ', sp->width - total);
    if (sign)
        put(o, sign);
    for (int i = 0; i < prefix_len; i++)
        put(o, prefix[i]);
    if (zero_pad)
        pad(o, '0', sp->width - total);
    while (n)
        put(o, tmp[--n]);
    if (sp->left)
        pad(o, ' ', sp->width - total);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){ .precision = -1 };
    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '+')
            sp->plus = true;
        else if (*f == ' ')
            sp->space = true;
        else
            break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = true;
            sp->width = -sp->width;
        }
        f++;
    } else {
        while (*f >= '0' && *f <= '9')
            sp->width = sp->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        sp->precision = 0;
        if (*f == '*') {
            sp->precision = va_arg(*ap, int);
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                sp->precision = sp->precision * 10 + (*f++ - '0');
        }
    }
    return f;
}

/* Reads the length modifier; returns the argument size in bytes. */
static const char *parse_length(const char *f, int *size)
{
    *size = 4;
    if (f[0] == 'h' && f[1] == 'h') {
        *size = 1;
        return f + 2;
    }
    if (f[0] == 'h') {
        *size = 2;
        return f + 1;
    }
    if (f[0] == 'l' && f[1] == 'l') {
        *size = 8;
        return f + 2;
    }
    if (f[0] == 'l' || f[0] == 'z' || f[0] == 't' || f[0] == 'j') {
        *size = 8;
        return f + 1;
    }
    return f;
}

static uint64_t arg_unsigned(va_list *ap, int size)
{
    uint64_t v = size == 8 ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);
    if (size == 1)
        v = (uint8_t)v;
    if (size == 2)
        v = (uint16_t)v;
    return v;
}

static int64_t arg_signed(va_list *ap, int size)
{
    int64_t v = size == 8 ? va_arg(*ap, int64_t) : va_arg(*ap, int);
    if (size == 1)
        v = (int8_t)v;
    if (size == 2)
        v = (int16_t)v;
    return v;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = { buf, size, 0 };
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        struct spec sp;
        int argsize;
        f = parse_spec(f + 1, &sp, &ap);
        f = parse_length(f, &argsize);
        switch (*f) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&ap, argsize);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            put_number(&o, &sp, mag, true, v < 0, 10, false, NULL);
            break;
        }
        case 'u':
            put_number(&o, &sp, arg_unsigned(&ap, argsize), false, false, 10, false, NULL);
            break;
        case 'x':
            put_number(&o, &sp, arg_unsigned(&ap, argsize), false, false, 16, false, NULL);
            break;
        case 'X':
            put_number(&o, &sp, arg_unsigned(&ap, argsize), false, false, 16, true, NULL);
            break;
        case 'o':
            put_number(&o, &sp, arg_unsigned(&ap, argsize), false, false, 8, false, NULL);
            break;
        case 'p':
            put_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, false, 16, false, "0x");
            break;
        case 's':
            put_string(&o, &sp, va_arg(ap, const char *));
            break;
        case 'c': {
            char c[2] = { (char)va_arg(ap, int), 0 };
            put_string(&o, &sp, c);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case 0:
            f--;
            break; /* lone '%' at the end */
        default:
            put(&o, '%');
            put(&o, *f);
            break;
        }
    }
    va_end(ap);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
