/* reloc.h — layout and relocation of a validated ELF64 relocatable object.
 *
 * A module is loaded in three pure steps, then the caller (kernel or host
 * test) applies page permissions:
 *
 *   1. mod_layout_compute(): assigns every allocated section to a region by
 *      its flags — TEXT (executable: mapped read+execute), RODATA (read-only),
 *      DATA (writable, PROGBITS then NOBITS/bss) — with its alignment, and
 *      checks every relocation entry (type known, symbol index in range,
 *      field inside its section). If the object uses GOT-relative
 *      relocations, a GOT is laid out at the end of RODATA: one 8-byte slot
 *      per symbol-table entry (slot i holds the address of symbol i).
 *   2. The caller allocates each region (size, align) somewhere, writable
 *      for now, and fills a struct mod_load_target.
 *   3. mod_load_copy() copies section contents and zeroes bss and the GOT;
 *      mod_reloc_apply() resolves every symbol (imports through the caller's
 *      resolver) and patches every relocation. Nothing is written on error
 *      in symbol resolution; a relocation error leaves the regions partly
 *      patched, so the caller frees them (all or nothing at module level).
 *
 * Supported relocation types (everything gcc emits for -mcmodel=kernel
 * -fno-pic objects, plus the GOT forms): NONE, 64, PC32, PLT32 (direct; no
 * PLT), 32, 32S, PC64, GOTPCREL, GOTPCRELX, REX_GOTPCRELX (through the GOT,
 * never rewritten). 32-bit results that do not fit are MOD_E_RELOC_OVERFLOW.
 *
 * Pure code: no allocation, no locks; the caller provides every array.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "modload/format/elf.h"

#define R_X86_64_NONE          0
#define R_X86_64_64            1
#define R_X86_64_PC32          2
#define R_X86_64_GOT32         3
#define R_X86_64_PLT32         4
#define R_X86_64_GOTPCREL      9
#define R_X86_64_32            10
#define R_X86_64_32S           11
#define R_X86_64_PC64          24
#define R_X86_64_GOTPCRELX     41
#define R_X86_64_REX_GOTPCRELX 42

enum mod_region {
    MOD_REGION_NONE = 0, /* section not loaded */
    MOD_REGION_TEXT,     /* read + execute */
    MOD_REGION_RODATA,   /* read only (after relocation) */
    MOD_REGION_DATA,     /* read + write */
    MOD_REGION_COUNT
};

/* Largest region: keeps offsets 32-bit friendly and sums overflow-free. */
#define MOD_LAYOUT_MAX_REGION (1ull << 30)

/* Where one section goes: region and byte offset in it. */
struct mod_placement {
    uint32_t region; /* enum mod_region */
    uint64_t offset;
};

struct mod_layout {
    struct mod_placement *placements; /* one per section (caller array) */
    uint64_t size[MOD_REGION_COUNT];  /* bytes per region */
    uint64_t align[MOD_REGION_COUNT]; /* largest alignment per region */
    uint64_t got_offset;              /* in RODATA, when got_slots > 0 */
    uint32_t got_slots;               /* 0: no GOT */
    uint32_t relocation_count;        /* entries that will be applied */
};

/* Bytes a relocation type patches (0 for NONE); -1 if unsupported. */
int mod_reloc_width(uint32_t type);
/* Name of a relocation type ("R_X86_64_PC32"), or NULL if unsupported. */
const char *mod_reloc_name(uint32_t type);

/* Step 1. placements must have elf->section_count entries. */
enum mod_status mod_layout_compute(const struct mod_elf *elf, struct mod_placement *placements,
                                   uint32_t placement_count, struct mod_layout *layout,
                                   struct mod_error *err);

/* One allocated region: where the loader writes it now, and the address it
 * will run at (the same on the kernel; different in host tests). */
struct mod_region_target {
    uint8_t *memory;
    uint64_t address;
};

/* Resolves an import by name: stores its address and returns 0, or returns
 * non-zero if unknown. Called once per undefined global/weak symbol. */
typedef int (*mod_resolve_fn)(void *context, const char *name, uint64_t *address);

struct mod_load_target {
    struct mod_region_target region[MOD_REGION_COUNT];
    mod_resolve_fn resolve;
    void *resolve_context;
    uint64_t *symbol_values; /* scratch: elf->symbol_count entries */
};

/* Step 3a: copies PROGBITS contents, zeroes NOBITS and the GOT. */
void mod_load_copy(const struct mod_elf *elf, const struct mod_layout *layout,
                   const struct mod_load_target *target);

/* Step 3b: resolves symbols and applies relocations. */
enum mod_status mod_reloc_apply(const struct mod_elf *elf, const struct mod_layout *layout,
                                const struct mod_load_target *target, struct mod_error *err);

/* Run-time address of symbol index (after mod_reloc_apply succeeded). */
static inline uint64_t mod_symbol_address(const struct mod_load_target *target, uint32_t index)
{
    return target->symbol_values[index];
}
