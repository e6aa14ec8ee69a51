/* modtest.h — helpers shared by the modload host tests (test_elf.c,
 * test_reloc.c, test_image.c, test_exec.c): the test module objects that the build
 * compiles from the C files of tests/host/data, and field patching for malformed
 * copies of them. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "modload/format/elf.h"

#ifndef MODLOAD_TEST_DATA
#define MODLOAD_TEST_DATA "build/host/data"
#endif

/* Reads the file at path into a malloc'd buffer (NULL on error). */
static inline uint8_t *modtest_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc(n > 0 ? (size_t)n : 1);
    if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return data;
}

/* Reads MODLOAD_TEST_DATA/name (NULL on error). */
static inline uint8_t *modtest_load(const char *name, size_t *size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", MODLOAD_TEST_DATA, name);
    return modtest_read_file(path, size);
}

static inline void modtest_put(uint8_t *p, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

static inline uint64_t modtest_get(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Byte offset of field at field_offset in section header index. */
static inline size_t modtest_section_field(const uint8_t *elf, uint32_t index, size_t field_offset)
{
    return (size_t)modtest_get(elf + 40, 8) + (size_t)index * 64 + field_offset;
}

/* Section header field offsets (ELF64). */
#define SH_NAME    0
#define SH_TYPE    4
#define SH_FLAGS   8
#define SH_OFFSET  24
#define SH_SIZE    32
#define SH_LINK    40
#define SH_INFO    44
#define SH_ALIGN   48
#define SH_ENTSIZE 56
