/* le.h — little-endian field readers and writer shared by the format
 * parsers (elf.c, exec.c, image.c). Byte by byte, so a buffer may be at
 * any alignment; the caller has checked the range. Pure: kernel + host. */
#pragma once
#include <stdint.h>

static inline uint16_t le_read16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint32_t le_read32(const uint8_t *p)
{
    return (uint32_t)le_read16(p) | (uint32_t)le_read16(p + 2) << 16;
}

static inline uint64_t le_read64(const uint8_t *p)
{
    return (uint64_t)le_read32(p) | (uint64_t)le_read32(p + 4) << 32;
}

/* Writes the low `bytes` bytes of v at p, least significant first. */
static inline void le_write(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
