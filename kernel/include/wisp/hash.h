/* hash.h — the one string hash of the kernel: 64-bit FNV-1a over a
 * NUL-terminated name, its start mixed with a seed (the symbol table's
 * hash set passes its own; 0 otherwise). Used by modload/symtab.c (symbol
 * names) and locks/lockdep.c (lock class names). Not for anything an
 * attacker picks to collide: a table that holds such names must bound its
 * probe length itself. Any context. */
#pragma once
#include <stdint.h>

static inline uint64_t hash_string(const char *s, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h ^ (h >> 29);
}
