/* ksyms.h — the core's own function symbols, for backtraces and debugging.
 *
 * The table is generated from the first link of the kernel (mk/gen-ksyms.sh)
 * and linked into .ksyms by a second link; .ksyms comes after .text, so the
 * addresses it records are the final ones. */
#pragma once
#include <wisp/compiler.h>

struct ksym {
    uint64_t addr;
    uint32_t name; /* offset into ksyms_names */
    uint32_t size;
};

/* Finds the function containing addr; returns its name and sets *offset. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);
/* Finds a function by name; returns 0 when absent. */
uint64_t ksyms_address(const char *name);
/* Writes "name+0xoff/0xsize" (or "?") into buf. */
void ksyms_format(uint64_t addr, char *buf, size_t size);
/* Prints the frame-pointer chain starting at rbp, at most max frames. */
void backtrace_print(uint64_t rip, uint64_t rbp, int max);
