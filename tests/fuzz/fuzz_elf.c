/* fuzz_elf.c — libFuzzer harness for the ELF loader: parse, lay out, copy
 * and relocate arbitrary bytes at kernel-like addresses, with a resolver
 * that knows some names and refuses others. Seeds: tests/fuzz/corpus/elf
 * (the test modules of tests/host/data). */
#include "modload/format/elf.h"
#include "modload/format/reloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int resolve(void *context, const char *name, uint64_t *address)
{
    (void)context;
    size_t n = strlen(name);
    if (n == 0 || name[0] == 'm')
        return -1;
    *address = 0xffffffff81000000ull + n * 64;
    return 0;
}

/* Regions above this size are not allocated (the layout itself is tested). */
#define FUZZ_MAX_REGION (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t address[MOD_REGION_COUNT] = {
        0,
        0xffffffffc0000000ull,
        0xffffffffc0400000ull,
        0xffffffffc0800000ull,
    };
    struct mod_elf elf;
    struct mod_layout layout;
    struct mod_load_target target;
    struct mod_error err;
    if (mod_elf_parse(&elf, data, size, &err) != MOD_OK)
        return 0;
    struct mod_placement *placements = calloc(elf.section_count, sizeof(*placements));
    if (mod_layout_compute(&elf, placements, elf.section_count, &layout, &err) != MOD_OK)
        goto out_placements;
    memset(&target, 0, sizeof(target));
    for (int r = 1; r < MOD_REGION_COUNT; r++)
        if (layout.size[r] > FUZZ_MAX_REGION)
            goto out_placements;
    for (int r = 1; r < MOD_REGION_COUNT; r++) {
        target.region[r].memory = malloc(layout.size[r] + 1);
        target.region[r].address = address[r];
    }
    target.resolve = resolve;
    target.symbol_values = calloc(elf.symbol_count + 1, sizeof(uint64_t));
    mod_load_copy(&elf, &layout, &target);
    mod_reloc_apply(&elf, &layout, &target, &err);
    mod_elf_find_export(&elf, "module_init");
    mod_elf_find_section(&elf, ".wisp.manifest");
    free(target.symbol_values);
    for (int r = 1; r < MOD_REGION_COUNT; r++)
        free(target.region[r].memory);
out_placements:
    free(placements);
    return 0;
}
