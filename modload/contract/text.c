/* text.c — bounded text output (see text.h). */
#include "modload/contract/text.h"
#include <string.h>

#define MOD_TEXT_WORD_MAX 40u

void mod_text_start(struct mod_text *text, char *buffer, size_t size)
{
    text->buffer = buffer;
    text->size = buffer ? size : 0;
    text->length = 0;
}

void mod_text_char(struct mod_text *text, char c)
{
    /* Keep the last byte for the NUL. */
    if (text->length + 1 < text->size)
        text->buffer[text->length] = c;
    text->length++;
}

void mod_text_bytes(struct mod_text *text, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mod_text_char(text, s[i]);
}

void mod_text_string(struct mod_text *text, const char *s)
{
    mod_text_bytes(text, s ? s : "(null)", s ? strlen(s) : 6);
}

void mod_text_unsigned(struct mod_text *text, unsigned long value)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n)
        mod_text_char(text, digits[--n]);
}

void mod_text_vformat(struct mod_text *text, const char *format, va_list ap)
{
    for (const char *f = format; *f; f++) {
        if (*f != '%' || !f[1]) {
            mod_text_char(text, *f);
            continue;
        }
        f++;
        if (*f == 's') {
            mod_text_string(text, va_arg(ap, const char *));
        } else if (*f == 'u') {
            mod_text_unsigned(text, va_arg(ap, unsigned int));
        } else if (*f == 'l' && f[1] == 'u') {
            f++;
            mod_text_unsigned(text, va_arg(ap, unsigned long));
        } else if (*f == 'c') {
            mod_text_char(text, (char)va_arg(ap, int));
        } else if (*f == 'w') {
            const char *word = va_arg(ap, const char *);
            size_t n = va_arg(ap, size_t);
            mod_text_bytes(text, word, n > MOD_TEXT_WORD_MAX ? MOD_TEXT_WORD_MAX : n);
            if (n > MOD_TEXT_WORD_MAX)
                mod_text_string(text, "...");
        } else {
            mod_text_char(text, *f);
        }
    }
}

void mod_text_format(struct mod_text *text, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    mod_text_vformat(text, format, ap);
    va_end(ap);
}

size_t mod_text_finish(struct mod_text *text)
{
    if (text->size)
        text->buffer[text->length < text->size ? text->length : text->size - 1] = '\0';
    return text->length;
}
