/* format.h — printf-style formatting, pure code shared by kernel and host tests.
 *
 * Supports %d %i %u %x %X %o %p %s %c %% with flags '-', '0', '+', ' ',
 * width and precision (also '*'), and the length modifiers hh h l ll z t j.
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have, as in C99 snprintf.
 */
#pragma once
#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
