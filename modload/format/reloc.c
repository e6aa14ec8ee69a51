/* reloc.c — section layout and x86-64 relocation of a module object (see
 * reloc.h). mod_layout_compute() checks every relocation entry that
 * mod_reloc_apply() will later apply, so the latter only computes values. */
#include "modload/format/reloc.h"
#include <string.h>

struct reloc_type {
    uint32_t type;
    int width;
    const char *name;
};

static const struct reloc_type reloc_types[] = {
    { R_X86_64_NONE, 0, "R_X86_64_NONE" },
    { R_X86_64_64, 8, "R_X86_64_64" },
    { R_X86_64_PC32, 4, "R_X86_64_PC32" },
    { R_X86_64_PLT32, 4, "R_X86_64_PLT32" },
    { R_X86_64_GOTPCREL, 4, "R_X86_64_GOTPCREL" },
    { R_X86_64_32, 4, "R_X86_64_32" },
    { R_X86_64_32S, 4, "R_X86_64_32S" },
    { R_X86_64_PC64, 8, "R_X86_64_PC64" },
    { R_X86_64_GOTPCRELX, 4, "R_X86_64_GOTPCRELX" },
    { R_X86_64_REX_GOTPCRELX, 4, "R_X86_64_REX_GOTPCRELX" },
};

static const struct reloc_type *find_type(uint32_t type)
{
    for (size_t i = 0; i < sizeof(reloc_types) / sizeof(reloc_types[0]); i++)
        if (reloc_types[i].type == type)
            return &reloc_types[i];
    return NULL;
}

int mod_reloc_width(uint32_t type)
{
    const struct reloc_type *t = find_type(type);
    return t ? t->width : -1;
}

const char *mod_reloc_name(uint32_t type)
{
    const struct reloc_type *t = find_type(type);
    return t ? t->name : NULL;
}

static int uses_got(uint32_t type)
{
    return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
           type == R_X86_64_REX_GOTPCRELX;
}

static enum mod_region region_of(const struct elf64_section *s)
{
    if (!(s->flags & SHF_ALLOC))
        return MOD_REGION_NONE;
    if (s->flags & SHF_EXECINSTR)
        return MOD_REGION_TEXT;
    if (s->flags & SHF_WRITE)
        return MOD_REGION_DATA;
    return MOD_REGION_RODATA;
}

static uint64_t align_up(uint64_t value, uint64_t align)
{
    return (value + align - 1) & ~(align - 1);
}

/* Appends section i to its region; bss (NOBITS) goes after file-backed data. */
static enum mod_status place_section(const struct mod_elf *elf, uint32_t i, int nobits_pass,
                                     struct mod_layout *layout, struct mod_error *err)
{
    struct elf64_section s;
    mod_elf_section(elf, i, &s);
    enum mod_region region = region_of(&s);
    if (region == MOD_REGION_NONE || (s.type == SHT_NOBITS) != nobits_pass)
        return MOD_OK;
    uint64_t align = s.addralign ? s.addralign : 1;
    uint64_t offset = align_up(layout->size[region], align);
    if (s.size > MOD_LAYOUT_MAX_REGION || offset + s.size > MOD_LAYOUT_MAX_REGION)
        return mod_fail(
            err, MOD_E_LAYOUT, "section %u '%s': size %llu makes the module larger than %llu bytes",
            i, mod_elf_section_name(elf, i), (unsigned long long)s.size, MOD_LAYOUT_MAX_REGION);
    layout->placements[i].region = region;
    layout->placements[i].offset = offset;
    layout->size[region] = offset + s.size;
    if (align > layout->align[region])
        layout->align[region] = align;
    return MOD_OK;
}

/* Checks relocation k of RELA section i (whose target is loaded). */
static enum mod_status check_relocation(const struct mod_elf *elf, const struct mod_layout *layout,
                                        uint32_t i, uint64_t k, const struct elf64_rela *r,
                                        const struct elf64_section *target, struct mod_error *err)
{
    const char *name = mod_elf_section_name(elf, i);
    uint32_t type = ELF_RELA_TYPE(r->info), symbol = ELF_RELA_SYMBOL(r->info);
    int width = mod_reloc_width(type);
    if (width < 0)
        return mod_fail(err, MOD_E_RELOC_TYPE, "section '%s' relocation %llu: unsupported type %u",
                        name, (unsigned long long)k, type);
    if (symbol >= elf->symbol_count && !(symbol == 0 && elf->symbol_count == 0))
        return mod_fail(err, MOD_E_RELOC_SYMBOL,
                        "section '%s' relocation %llu: symbol index %u out of range (%u symbols)",
                        name, (unsigned long long)k, symbol, elf->symbol_count);
    if (!mod_range_ok(r->offset, (uint64_t)width, target->size))
        return mod_fail(
            err, MOD_E_RELOC_BOUNDS,
            "section '%s' relocation %llu: offset 0x%llx + %d past the end of its section (%llu bytes)",
            name, (unsigned long long)k, (unsigned long long)r->offset, width,
            (unsigned long long)target->size);
    if (symbol == 0 || elf->symbol_count == 0)
        return MOD_OK;
    struct elf64_symbol sym;
    mod_elf_symbol(elf, symbol, &sym);
    if (sym.shndx != SHN_UNDEF && sym.shndx < SHN_LORESERVE &&
        layout->placements[sym.shndx].region == MOD_REGION_NONE)
        return mod_fail(
            err, MOD_E_RELOC_SYMBOL,
            "section '%s' relocation %llu: symbol %u '%s' is in section %u, which is not loaded",
            name, (unsigned long long)k, symbol, mod_elf_symbol_name(elf, symbol), sym.shndx);
    return MOD_OK;
}

static void read_rela(const struct mod_elf *elf, const struct elf64_section *s, uint64_t k,
                      struct elf64_rela *r)
{
    memcpy(r, elf->data + s->offset + k * ELF_RELA_SIZE, sizeof(*r));
}

/* Relocation section i applies to a loaded section: returns its target. */
static int applied_rela(const struct mod_elf *elf, uint32_t i, struct elf64_section *s,
                        struct elf64_section *target)
{
    mod_elf_section(elf, i, s);
    if (s->type != SHT_RELA)
        return 0;
    mod_elf_section(elf, s->info, target);
    return (target->flags & SHF_ALLOC) != 0;
}

static enum mod_status check_relocations(const struct mod_elf *elf, struct mod_layout *layout,
                                         int *need_got, struct mod_error *err)
{
    struct elf64_section s, target;
    struct elf64_rela r;
    enum mod_status st;
    for (uint32_t i = 1; i < elf->section_count; i++) {
        if (!applied_rela(elf, i, &s, &target))
            continue;
        for (uint64_t k = 0; k < s.size / ELF_RELA_SIZE; k++) {
            read_rela(elf, &s, k, &r);
            if ((st = check_relocation(elf, layout, i, k, &r, &target, err)))
                return st;
            *need_got |= uses_got(ELF_RELA_TYPE(r.info));
            layout->relocation_count++;
        }
    }
    return MOD_OK;
}

enum mod_status mod_layout_compute(const struct mod_elf *elf, struct mod_placement *placements,
                                   uint32_t placement_count, struct mod_layout *layout,
                                   struct mod_error *err)
{
    enum mod_status st;
    int need_got = 0;

    memset(layout, 0, sizeof(*layout));
    if (placement_count < elf->section_count)
        return mod_fail(err, MOD_E_LAYOUT, "placement array has %u entries for %u sections",
                        placement_count, elf->section_count);
    memset(placements, 0, sizeof(*placements) * elf->section_count);
    layout->placements = placements;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 1; i < elf->section_count; i++)
            if ((st = place_section(elf, i, pass, layout, err)))
                return st;
    if ((st = check_relocations(elf, layout, &need_got, err)))
        return st;
    if (need_got) {
        uint64_t bytes = (uint64_t)elf->symbol_count * 8;
        layout->got_offset = align_up(layout->size[MOD_REGION_RODATA], 8);
        if (layout->got_offset + bytes > MOD_LAYOUT_MAX_REGION)
            return mod_fail(err, MOD_E_LAYOUT, "GOT of %u slots does not fit", elf->symbol_count);
        layout->got_slots = elf->symbol_count;
        layout->size[MOD_REGION_RODATA] = layout->got_offset + bytes;
        if (layout->align[MOD_REGION_RODATA] < 8)
            layout->align[MOD_REGION_RODATA] = 8;
    }
    return MOD_OK;
}

void mod_load_copy(const struct mod_elf *elf, const struct mod_layout *layout,
                   const struct mod_load_target *target)
{
    struct elf64_section s;
    for (uint32_t i = 1; i < elf->section_count; i++) {
        const struct mod_placement *p = &layout->placements[i];
        if (p->region == MOD_REGION_NONE)
            continue;
        mod_elf_section(elf, i, &s);
        uint8_t *dst = target->region[p->region].memory + p->offset;
        if (s.type == SHT_NOBITS)
            memset(dst, 0, s.size);
        else
            memcpy(dst, elf->data + s.offset, s.size);
    }
    if (layout->got_slots)
        memset(target->region[MOD_REGION_RODATA].memory + layout->got_offset, 0,
               (size_t)layout->got_slots * 8);
}

static uint64_t section_address(const struct mod_layout *layout,
                                const struct mod_load_target *target, uint32_t i)
{
    const struct mod_placement *p = &layout->placements[i];
    return target->region[p->region].address + p->offset;
}

/* Fills symbol_values: imports through the resolver, the rest from layout. */
static enum mod_status resolve_symbols(const struct mod_elf *elf, const struct mod_layout *layout,
                                       const struct mod_load_target *target, struct mod_error *err)
{
    struct elf64_symbol sym;
    for (uint32_t i = 0; i < elf->symbol_count; i++) {
        mod_elf_symbol(elf, i, &sym);
        uint64_t value = 0;
        if (mod_elf_symbol_is_import(elf, i)) {
            const char *name = mod_elf_symbol_name(elf, i);
            if (target->resolve(target->resolve_context, name, &value) != 0) {
                if (ELF_SYMBOL_BIND(sym.info) != STB_WEAK)
                    return mod_fail(err, MOD_E_UNRESOLVED, "symbol %u '%s': unresolved import", i,
                                    name);
                value = 0; /* unresolved weak import */
            }
        } else if (sym.shndx == SHN_UNDEF && i != 0 &&
                   strcmp(mod_elf_symbol_name(elf, i), MOD_ELF_GOT_SYMBOL) == 0) {
            value = target->region[MOD_REGION_RODATA].address + layout->got_offset;
        } else if (sym.shndx == SHN_ABS) {
            value = sym.value;
        } else if (sym.shndx != SHN_UNDEF && sym.shndx < elf->section_count &&
                   layout->placements[sym.shndx].region != MOD_REGION_NONE) {
            value = section_address(layout, target, sym.shndx) + sym.value;
        }
        target->symbol_values[i] = value;
    }
    return MOD_OK;
}

static void store(uint8_t *p, uint64_t value, int width)
{
    for (int b = 0; b < width; b++)
        p[b] = (uint8_t)(value >> (8 * b));
}

static int fits_signed32(uint64_t v) { return (int64_t)v == (int32_t)v; }

/* Value of relocation r at place P, and whether it fits the field. */
static int compute(const struct mod_elf *elf, const struct mod_layout *layout,
                   const struct mod_load_target *target, const struct elf64_rela *r, uint64_t place,
                   uint64_t *out)
{
    uint32_t type = ELF_RELA_TYPE(r->info), symbol = ELF_RELA_SYMBOL(r->info);
    uint64_t S = symbol < elf->symbol_count ? target->symbol_values[symbol] : 0;
    uint64_t A = (uint64_t)r->addend;
    uint64_t got = target->region[MOD_REGION_RODATA].address + layout->got_offset;
    switch (type) {
    case R_X86_64_64:
        *out = S + A;
        return 1;
    case R_X86_64_PC64:
        *out = S + A - place;
        return 1;
    case R_X86_64_32:
        *out = S + A;
        return *out <= UINT32_MAX;
    case R_X86_64_32S:
        *out = S + A;
        return fits_signed32(*out);
    case R_X86_64_PC32:
    case R_X86_64_PLT32:
        *out = S + A - place;
        return fits_signed32(*out);
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX:
        *out = got + (uint64_t)symbol * 8 + A - place;
        return fits_signed32(*out);
    default:
        *out = 0;
        return 1; /* R_X86_64_NONE */
    }
}

static enum mod_status apply_section(const struct mod_elf *elf, uint32_t i,
                                     const struct mod_layout *layout,
                                     const struct mod_load_target *target, struct mod_error *err)
{
    struct elf64_section s, dest;
    struct elf64_rela r;
    if (!applied_rela(elf, i, &s, &dest))
        return MOD_OK;
    const struct mod_placement *p = &layout->placements[s.info];
    uint8_t *memory = target->region[p->region].memory + p->offset;
    uint64_t base = section_address(layout, target, s.info);
    for (uint64_t k = 0; k < s.size / ELF_RELA_SIZE; k++) {
        read_rela(elf, &s, k, &r);
        uint32_t type = ELF_RELA_TYPE(r.info);
        uint64_t value;
        if (!compute(elf, layout, target, &r, base + r.offset, &value)) {
            uint32_t symbol = ELF_RELA_SYMBOL(r.info);
            return mod_fail(
                err, MOD_E_RELOC_OVERFLOW,
                "section '%s' relocation %llu (%s against '%s'): value 0x%llx does not fit 32 bits",
                mod_elf_section_name(elf, i), (unsigned long long)k, mod_reloc_name(type),
                elf->symbol_count ? mod_elf_symbol_name(elf, symbol) : "",
                (unsigned long long)value);
        }
        store(memory + r.offset, value, mod_reloc_width(type));
    }
    return MOD_OK;
}

enum mod_status mod_reloc_apply(const struct mod_elf *elf, const struct mod_layout *layout,
                                const struct mod_load_target *target, struct mod_error *err)
{
    enum mod_status st;
    if ((st = resolve_symbols(elf, layout, target, err)))
        return st;
    if (layout->got_slots) {
        uint8_t *got = target->region[MOD_REGION_RODATA].memory + layout->got_offset;
        for (uint32_t i = 0; i < layout->got_slots; i++)
            store(got + (uint64_t)i * 8, target->symbol_values[i], 8);
    }
    for (uint32_t i = 1; i < elf->section_count; i++)
        if ((st = apply_section(elf, i, layout, target, err)))
            return st;
    return MOD_OK;
}
