/* ulib.h — the few helpers every Wisp tool needs: strings, numbers and
 * output through the ghost function write. No state, no allocation;
 * linked into each program that uses it (user/build.mk). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

size_t u_strlen(const char *s);
bool u_streq(const char *a, const char *b);
/* Parses a decimal number: false if s is empty or has another character. */
bool u_parse_number(const char *s, uint64_t *out);

void u_put(const char *s);
/* s padded with spaces to width (left-aligned), then one space. */
void u_put_column(const char *s, size_t width);
void u_put_number(uint64_t n);
/* n right-aligned in width, then one space. */
void u_put_number_column(uint64_t n, size_t width);
void u_put_signed(long n);
/* n in lowercase hex, at least digits digits, no prefix. */
void u_put_hex(uint64_t n, unsigned digits);
/* "major.minor" of a version (major << 16 | minor). */
void u_put_version(uint32_t version);
