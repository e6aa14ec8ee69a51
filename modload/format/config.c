/* config.c — parser of the boot configuration section (see config.h). */
#include "modload/format/config.h"
#include <string.h>

void mod_config_begin(struct mod_config_cursor *c, const void *text, size_t size)
{
    c->text = text;
    c->size = size;
    c->position = 0;
    c->line = 0;
}

/* First occurrence of ch in [p, end), or NULL (the kernel libc has no memchr). */
static const char *find_char(const char *p, const char *end, char ch)
{
    for (; p < end; p++)
        if (*p == ch)
            return p;
    return NULL;
}

static int is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

/* Splits [start, end) into at most 3 words; returns how many it found. */
static int split_words(const char *start, const char *end, const char *word[3], size_t length[3])
{
    int n = 0;
    const char *p = start;
    while (p < end) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            break;
        if (n == 3)
            return 4;
        word[n] = p;
        while (p < end && !is_blank(*p))
            p++;
        length[n] = (size_t)(p - word[n]);
        n++;
    }
    return n;
}

enum mod_status mod_config_next(struct mod_config_cursor *c, char name[MOD_IMAGE_NAME_SIZE],
                                struct mod_error *err)
{
    while (c->position < c->size) {
        const char *start = c->text + c->position;
        const char *newline = find_char(start, c->text + c->size, '\n');
        const char *end = newline ? newline : c->text + c->size;
        c->position = (size_t)(end - c->text) + (newline ? 1 : 0);
        c->line++;

        const char *word[3];
        size_t length[3];
        int n = split_words(start, end, word, length);
        if (n == 0 || word[0][0] == '#')
            continue;
        if (n != 2 || length[0] != 4 || memcmp(word[0], "load", 4) != 0)
            return mod_fail(err, MOD_E_CONFIG, "boot configuration line %u: expected 'load NAME'",
                            c->line);
        if (length[1] >= MOD_IMAGE_NAME_SIZE || find_char(word[1], word[1] + length[1], 0))
            return mod_fail(err, MOD_E_CONFIG, "boot configuration line %u: bad module name",
                            c->line);
        memcpy(name, word[1], length[1]);
        name[length[1]] = 0;
        if (!mod_image_name_ok(name))
            return mod_fail(err, MOD_E_CONFIG, "boot configuration line %u: bad module name '%s'",
                            c->line, name);
        return MOD_OK;
    }
    return MOD_E_NOT_FOUND;
}
