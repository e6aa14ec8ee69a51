/* test_reloc.c — layout and relocation (modload/reloc.c) of gcc-built test
 * modules loaded at kernel addresses into host buffers: every supported
 * relocation type is applied and its field checked against the ABI formula;
 * unknown types, bad symbol indexes, fields outside their section, symbols
 * in unloaded sections, 32-bit overflow and unresolved imports are refused
 * with messages that name the relocation and symbol. Last, a module built
 * for low addresses is loaded into MAP_32BIT memory and run: it calls the
 * host through trampolines and reads host data through its GOT. */
#include "htest.h"
#include "modtest.h"
#include "modload/format/reloc.h"
#include <sys/mman.h>

#define TEXT_ADDRESS     0xffffffffc0000000ull
#define RODATA_ADDRESS   0xffffffffc0100000ull
#define DATA_ADDRESS     0xffffffffc0200000ull
#define FUNCTION_ADDRESS 0xffffffff81000000ull
#define VALUE_ADDRESS    0xffffffff81200000ull
#define SMALL_ADDRESS    0x1234ull

struct loaded {
    uint8_t *object;
    size_t size;
    struct mod_elf elf;
    struct mod_layout layout;
    struct mod_placement *placements;
    struct mod_load_target target;
    struct mod_error err;
    const char *refuse;  /* the resolver fails for this name */
    uint64_t far_import; /* if set: every import resolves here */
};

static int resolve(void *context, const char *name, uint64_t *address)
{
    struct loaded *l = context;
    if (l->refuse && strcmp(name, l->refuse) == 0)
        return -1;
    if (l->far_import) {
        *address = l->far_import;
        return 0;
    }
    if (!strcmp(name, "imported_function"))
        *address = FUNCTION_ADDRESS;
    else if (!strcmp(name, "imported_value"))
        *address = VALUE_ADDRESS;
    else if (!strcmp(name, "small_import"))
        *address = SMALL_ADDRESS;
    else
        return -1;
    return 0;
}

static void unload(struct loaded *l)
{
    for (int r = 0; r < MOD_REGION_COUNT; r++)
        free(l->target.region[r].memory);
    free(l->target.symbol_values);
    free(l->placements);
    free(l->object);
}

/* Reads an object and computes its layout; returns the layout status. */
static enum mod_status prepare(struct loaded *l, const char *file)
{
    memset(l, 0, sizeof(*l));
    l->object = modtest_load(file, &l->size);
    if (!l->object || mod_elf_parse(&l->elf, l->object, l->size, &l->err))
        return MOD_E_ELF_TRUNCATED;
    l->placements = calloc(l->elf.section_count, sizeof(*l->placements));
    return mod_layout_compute(&l->elf, l->placements, l->elf.section_count, &l->layout, &l->err);
}

/* Allocates the regions, copies and relocates. */
static enum mod_status relocate(struct loaded *l)
{
    static const uint64_t address[MOD_REGION_COUNT] = {
        0,
        TEXT_ADDRESS,
        RODATA_ADDRESS,
        DATA_ADDRESS,
    };
    for (int r = 1; r < MOD_REGION_COUNT; r++) {
        l->target.region[r].memory = calloc(1, l->layout.size[r] + 1);
        l->target.region[r].address = address[r];
    }
    l->target.resolve = resolve;
    l->target.resolve_context = l;
    l->target.symbol_values = calloc(l->elf.symbol_count + 1, sizeof(uint64_t));
    mod_load_copy(&l->elf, &l->layout, &l->target);
    return mod_reloc_apply(&l->elf, &l->layout, &l->target, &l->err);
}

static enum mod_status load(struct loaded *l, const char *file)
{
    enum mod_status st = prepare(l, file);
    return st ? st : relocate(l);
}

static uint64_t address_of_section(const struct loaded *l, uint32_t index)
{
    const struct mod_placement *p = &l->placements[index];
    return l->target.region[p->region].address + p->offset;
}

static uint8_t *memory_of_section(const struct loaded *l, uint32_t index)
{
    const struct mod_placement *p = &l->placements[index];
    return l->target.region[p->region].memory + p->offset;
}

/* Checks every applied relocation of the object against the ABI formula;
 * counts[type] counts the types seen. */
static void check_all_fields(struct htest_ctx *ctx, struct loaded *l, int counts[64])
{
    struct elf64_section s, target;
    uint64_t got = RODATA_ADDRESS + l->layout.got_offset;
    for (uint32_t i = 1; i < l->elf.section_count; i++) {
        mod_elf_section(&l->elf, i, &s);
        if (s.type != SHT_RELA)
            continue;
        mod_elf_section(&l->elf, s.info, &target);
        if (!(target.flags & SHF_ALLOC))
            continue;
        for (uint64_t k = 0; k < s.size / 24; k++) {
            const uint8_t *e = l->object + s.offset + k * 24;
            uint64_t offset = modtest_get(e, 8), info = modtest_get(e + 8, 8);
            uint64_t A = modtest_get(e + 16, 8);
            uint32_t type = (uint32_t)info, symbol = (uint32_t)(info >> 32);
            uint64_t S = mod_symbol_address(&l->target, symbol);
            uint64_t P = address_of_section(l, s.info) + offset;
            const uint8_t *field = memory_of_section(l, s.info) + offset;
            uint64_t expected;
            int width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
            switch (type) {
            case R_X86_64_64:
                expected = S + A;
                break;
            case R_X86_64_32:
            case R_X86_64_32S:
                expected = S + A;
                break;
            case R_X86_64_PC32:
            case R_X86_64_PLT32:
            case R_X86_64_PC64:
                expected = S + A - P;
                break;
            case R_X86_64_GOTPCREL:
            case R_X86_64_GOTPCRELX:
            case R_X86_64_REX_GOTPCRELX:
                expected = got + symbol * 8ull + A - P;
                EXPECT_EQ(modtest_get(l->target.region[MOD_REGION_RODATA].memory +
                                          l->layout.got_offset + symbol * 8ull,
                                      8),
                          S);
                break;
            case R_X86_64_NONE:
                counts[type]++;
                continue;
            default:
                HTEST_FAIL("unexpected relocation type %u", type);
                continue;
            }
            if (width == 4)
                expected &= 0xffffffffull;
            if (modtest_get(field, width) != expected)
                HTEST_FAIL("section %s relocation %llu (type %u): field 0x%llx, expected 0x%llx",
                           mod_elf_section_name(&l->elf, i), (unsigned long long)k, type,
                           (unsigned long long)modtest_get(field, width),
                           (unsigned long long)expected);
            counts[type < 64 ? type : 0]++;
        }
    }
}

HTEST(reloc_layout_places_sections_by_permission)
{
    struct loaded l;
    ASSERT_EQ(prepare(&l, "reloc_all.o"), MOD_OK);
    struct elf64_section s;
    for (uint32_t i = 1; i < l.elf.section_count; i++) {
        mod_elf_section(&l.elf, i, &s);
        uint32_t region = l.placements[i].region;
        if (!(s.flags & SHF_ALLOC)) {
            EXPECT_EQ(region, (uint32_t)MOD_REGION_NONE);
            continue;
        }
        uint32_t expected = s.flags & SHF_EXECINSTR ? MOD_REGION_TEXT
                            : s.flags & SHF_WRITE   ? MOD_REGION_DATA
                                                    : MOD_REGION_RODATA;
        EXPECT_EQ(region, expected);
        if (s.addralign)
            EXPECT_EQ(l.placements[i].offset % s.addralign, 0u);
        EXPECT_LE(l.placements[i].offset + s.size, l.layout.size[region]);
        EXPECT_GE(l.layout.align[region], s.addralign);
    }
    /* bss comes after every file-backed data section */
    uint32_t bss = mod_elf_find_section(&l.elf, ".bss.buffer");
    uint32_t table = mod_elf_find_section(&l.elf, ".data.table");
    EXPECT_GT(l.placements[bss].offset, l.placements[table].offset);
    EXPECT_EQ(l.layout.got_slots, l.elf.symbol_count);
    EXPECT_EQ(l.layout.got_offset % 8, 0u);
    EXPECT_EQ(l.layout.relocation_count, 16u); /* readelf -r reloc_all.o */
    unload(&l);
}

HTEST(reloc_applies_every_type_gcc_emits)
{
    struct loaded l;
    int counts[64] = { 0 };
    ASSERT_EQ(load(&l, "reloc_all.o"), MOD_OK);
    check_all_fields(ctx, &l, counts);
    unload(&l);
    ASSERT_EQ(load(&l, "reloc_got.o"), MOD_OK);
    check_all_fields(ctx, &l, counts);
    unload(&l);
    static const uint32_t all[] = {
        R_X86_64_NONE, R_X86_64_64,   R_X86_64_PC32,     R_X86_64_PLT32,     R_X86_64_32,
        R_X86_64_32S,  R_X86_64_PC64, R_X86_64_GOTPCREL, R_X86_64_GOTPCRELX, R_X86_64_REX_GOTPCRELX,
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (counts[all[i]] == 0)
            HTEST_FAIL("no %s in the test modules", mod_reloc_name(all[i]));
        EXPECT_GE(mod_reloc_width(all[i]), 0);
    }
}

HTEST(reloc_data_pointers_hold_final_addresses)
{
    struct loaded l;
    ASSERT_EQ(load(&l, "reloc_all.o"), MOD_OK);
    uint32_t fp = mod_elf_find_section(&l.elf, ".data.function_pointer");
    uint32_t pt = mod_elf_find_section(&l.elf, ".data.pointer_to_table");
    uint32_t table = mod_elf_find_section(&l.elf, ".data.table");
    EXPECT_EQ(modtest_get(memory_of_section(&l, fp), 8), FUNCTION_ADDRESS);
    EXPECT_EQ(modtest_get(memory_of_section(&l, pt), 8), address_of_section(&l, table) + 4);
    EXPECT_EQ(modtest_get(memory_of_section(&l, table) + 8, 4), 3u); /* data copied */
    uint32_t export = mod_elf_find_export(&l.elf, "call_import");
    EXPECT_EQ(mod_symbol_address(&l.target, export),
              address_of_section(&l, mod_elf_find_section(&l.elf, ".text.call_import")));
    EXPECT_EQ(address_of_section(&l, table) >> 20, DATA_ADDRESS >> 20);
    unload(&l);
}

HTEST(reloc_unresolved_weak_import_is_zero)
{
    struct loaded l;
    ASSERT_EQ(load(&l, "reloc_all.o"), MOD_OK);
    for (uint32_t i = 0; i < l.elf.symbol_count; i++)
        if (!strcmp(mod_elf_symbol_name(&l.elf, i), "missing_weak_function"))
            EXPECT_EQ(mod_symbol_address(&l.target, i), 0u);
    unload(&l);
}

HTEST(reloc_refuses_unresolved_import_naming_it)
{
    struct loaded l;
    ASSERT_EQ(prepare(&l, "reloc_all.o"), MOD_OK);
    l.refuse = "imported_value";
    EXPECT_EQ(relocate(&l), MOD_E_UNRESOLVED);
    EXPECT_NOT_NULL(strstr(l.err.message, "'imported_value': unresolved import"));
    unload(&l);
}

HTEST(reloc_refuses_32_bit_overflow)
{
    struct loaded l;
    ASSERT_EQ(load(&l, "reloc_overflow.o"), MOD_E_RELOC_OVERFLOW);
    EXPECT_NOT_NULL(strstr(l.err.message, "R_X86_64_32 against 'target_word'"));
    unload(&l);
    /* an import at 4 GiB, far below the module: PC32/PLT32 cannot reach it */
    ASSERT_EQ(prepare(&l, "reloc_all.o"), MOD_OK);
    l.far_import = 0x100000000ull;
    EXPECT_EQ(relocate(&l), MOD_E_RELOC_OVERFLOW);
    EXPECT_NOT_NULL(strstr(l.err.message, "does not fit 32 bits"));
    unload(&l);
}

/* Patches field (0 offset, 8 info) of the first entry of a RELA section. */
static enum mod_status layout_with_patched_rela(struct loaded *l, const char *rela, size_t field,
                                                uint64_t value)
{
    struct mod_elf elf;
    struct elf64_section s;
    if (prepare(l, "reloc_all.o"))
        return MOD_E_LAYOUT;
    mod_elf_section(&l->elf, mod_elf_find_section(&l->elf, rela), &s);
    modtest_put(l->object + s.offset + field, value, 8);
    if (mod_elf_parse(&elf, l->object, l->size, &l->err))
        return l->err.code;
    return mod_layout_compute(&elf, l->placements, elf.section_count, &l->layout, &l->err);
}

HTEST(reloc_refuses_unknown_type_naming_it)
{
    struct loaded l;
    uint64_t info = (uint64_t)8 << 32 | 37; /* R_X86_64_GOTPC32_TLSDESC-ish */
    EXPECT_EQ(layout_with_patched_rela(&l, ".rela.text.read_import", 8, info), MOD_E_RELOC_TYPE);
    EXPECT_NOT_NULL(
        strstr(l.err.message, "'.rela.text.read_import' relocation 0: unsupported type 37"));
    unload(&l);
    EXPECT_EQ(mod_reloc_width(37), -1);
    EXPECT_NULL(mod_reloc_name(37));
}

HTEST(reloc_refuses_symbol_index_out_of_range)
{
    struct loaded l;
    uint64_t info = (uint64_t)5000 << 32 | R_X86_64_PC32;
    EXPECT_EQ(layout_with_patched_rela(&l, ".rela.text.read_import", 8, info), MOD_E_RELOC_SYMBOL);
    EXPECT_NOT_NULL(strstr(l.err.message, "symbol index 5000 out of range"));
    unload(&l);
}

HTEST(reloc_refuses_field_outside_its_section)
{
    struct loaded l;
    EXPECT_EQ(layout_with_patched_rela(&l, ".rela.text.read_import", 0, 5), MOD_E_RELOC_BOUNDS);
    EXPECT_NOT_NULL(strstr(l.err.message, "past the end of its section"));
    unload(&l);
    EXPECT_EQ(layout_with_patched_rela(&l, ".rela.text.read_import", 0, UINT64_MAX - 1),
              MOD_E_RELOC_BOUNDS);
    unload(&l);
}

HTEST(reloc_refuses_symbol_in_unloaded_section)
{
    struct loaded l;
    ASSERT_EQ(prepare(&l, "reloc_all.o"), MOD_OK);
    struct elf64_section symtab;
    mod_elf_section(&l.elf, l.elf.symtab_index, &symtab);
    uint32_t table = mod_elf_find_export(&l.elf, "table");
    uint32_t comment = mod_elf_find_section(&l.elf, ".comment");
    modtest_put(l.object + symtab.offset + table * 24ull + 6, comment, 2);
    modtest_put(l.object + symtab.offset + table * 24ull + 8, 0, 8);
    struct mod_elf elf;
    ASSERT_EQ(mod_elf_parse(&elf, l.object, l.size, &l.err), MOD_OK);
    EXPECT_EQ(mod_layout_compute(&elf, l.placements, elf.section_count, &l.layout, &l.err),
              MOD_E_RELOC_SYMBOL);
    EXPECT_NOT_NULL(strstr(l.err.message, "'table' is in section"));
    unload(&l);
}

HTEST(reloc_layout_refuses_short_placement_array)
{
    struct loaded l;
    ASSERT_EQ(prepare(&l, "reloc_all.o"), MOD_OK);
    EXPECT_EQ(mod_layout_compute(&l.elf, l.placements, 3, &l.layout, &l.err), MOD_E_LAYOUT);
    unload(&l);
}

HTEST(reloc_layout_refuses_huge_section)
{
    struct loaded l;
    ASSERT_EQ(prepare(&l, "reloc_all.o"), MOD_OK);
    uint32_t bss = mod_elf_find_section(&l.elf, ".bss.buffer");
    modtest_put(l.object + modtest_section_field(l.object, bss, SH_SIZE), 1ull << 40, 8);
    struct mod_elf elf;
    ASSERT_EQ(mod_elf_parse(&elf, l.object, l.size, &l.err), MOD_OK);
    EXPECT_EQ(mod_layout_compute(&elf, l.placements, elf.section_count, &l.layout, &l.err),
              MOD_E_LAYOUT);
    EXPECT_NOT_NULL(strstr(l.err.message, "'.bss.buffer'"));
    unload(&l);
}

/* ---- running a relocated module on the host ---- */

int host_value = 7;
static int host_add(int a, int b) { return a + b; }

struct low_memory {
    uint8_t *base;
    size_t size, used;
};

static uint8_t *low_alloc(struct low_memory *low, size_t size)
{
    size = (size + 4095) & ~(size_t)4095;
    if (size > low->size - low->used)
        return NULL;
    uint8_t *p = low->base + low->used;
    low->used += size;
    return p;
}

/* movabs $target, %rax; jmp *%rax — lets rel32 calls reach host code. */
static int resolve_host(void *context, const char *name, uint64_t *address)
{
    struct low_memory *low = context;
    uint64_t target;
    if (!strcmp(name, "host_add"))
        target = (uint64_t)(uintptr_t)host_add;
    else if (!strcmp(name, "host_value")) {
        *address = (uint64_t)(uintptr_t)&host_value; /* reached via the GOT */
        return 0;
    } else
        return -1;
    uint8_t *t = low_alloc(low, 16);
    if (!t)
        return -1;
    t[0] = 0x48;
    t[1] = 0xb8;
    modtest_put(t + 2, target, 8);
    t[10] = 0xff;
    t[11] = 0xe0;
    *address = (uint64_t)(uintptr_t)t;
    return 0;
}

HTEST(reloc_loaded_module_runs_and_calls_the_host)
{
    struct loaded l;
    ASSERT_EQ(prepare(&l, "exec_small.o"), MOD_OK);
    struct low_memory low = { 0 };
    low.size = 1 << 20;
    low.base = mmap(NULL, low.size, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    ASSERT_TRUE(low.base != MAP_FAILED);
    EXPECT_LT((uintptr_t)low.base, 1ull << 31);
    struct mod_load_target target = { 0 };
    for (int r = 1; r < MOD_REGION_COUNT; r++) {
        target.region[r].memory = low_alloc(&low, l.layout.size[r] + 1);
        ASSERT_NOT_NULL(target.region[r].memory);
        target.region[r].address = (uint64_t)(uintptr_t)target.region[r].memory;
    }
    target.resolve = resolve_host;
    target.resolve_context = &low;
    target.symbol_values = calloc(l.elf.symbol_count, sizeof(uint64_t));
    mod_load_copy(&l.elf, &l.layout, &target);
    ASSERT_EQ(mod_reloc_apply(&l.elf, &l.layout, &target, &l.err), MOD_OK);
    uint32_t entry = mod_elf_find_export(&l.elf, "exec_entry");
    ASSERT_NE(entry, 0u);
    int (*exec_entry)(int) = (int (*)(int))(uintptr_t)mod_symbol_address(&target, entry);
    /* host_add(5, 10) + adder(1, 2) + 300 + host_value + twice(5) + 5 + table[1] */
    EXPECT_EQ(exec_entry(5), 15 + 3 + 300 + 7 + 10 + 5 + 200);
    host_value = 1000;
    /* accumulated is now 5 + 2: bss state persists between calls */
    EXPECT_EQ(exec_entry(2), 12 + 3 + 300 + 1000 + 4 + 7 + 100);
    host_value = 7;
    free(target.symbol_values);
    munmap(low.base, low.size);
    unload(&l);
}
