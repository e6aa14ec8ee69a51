/* text.h — bounded text output for the manifest parser, printer and the
 * contract rules (messages and canonical text without stdio).
 *
 * A struct mod_text appends into a caller's buffer and counts every byte it
 * was asked to write, so that the caller learns the full length (as
 * snprintf does) even when the buffer was too small. The buffer is always
 * NUL-terminated once mod_text_finish() ran (when its size is not 0).
 * Pure code: no allocation; callable from any context.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct mod_text {
    char *buffer;
    size_t size;   /* bytes available, including the NUL */
    size_t length; /* bytes written or that would have been */
};

void mod_text_start(struct mod_text *text, char *buffer, size_t size);
void mod_text_char(struct mod_text *text, char c);
void mod_text_string(struct mod_text *text, const char *s);
void mod_text_bytes(struct mod_text *text, const char *s, size_t n);
void mod_text_unsigned(struct mod_text *text, unsigned long value);

/* A small printf: %s (NULL prints "(null)"), %u, %lu, %c and %%. A word
 * longer than 40 bytes given as %w (const char *, size_t) is cut to 40
 * bytes followed by "...". */
void mod_text_format(struct mod_text *text, const char *format, ...);
void mod_text_vformat(struct mod_text *text, const char *format, va_list ap);

/* NUL-terminates and returns the full length. */
size_t mod_text_finish(struct mod_text *text);
