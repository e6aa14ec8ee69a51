/* elf.c — validation and accessors for ELF64 x86-64 relocatable objects
 * (see elf.h). Every offset read from the file is range-checked here, once,
 * so that the accessors and the relocator can trust the tables. */
#include "modload/format/elf.h"
#include "modload/format/le.h"
#include <string.h>

static void decode_header(const uint8_t *p, struct elf64_header *h)
{
    memcpy(h->ident, p, 16);
    h->type = le_read16(p + 16);
    h->machine = le_read16(p + 18);
    h->version = le_read32(p + 20);
    h->entry = le_read64(p + 24);
    h->phoff = le_read64(p + 32);
    h->shoff = le_read64(p + 40);
    h->flags = le_read32(p + 48);
    h->ehsize = le_read16(p + 52);
    h->phentsize = le_read16(p + 54);
    h->phnum = le_read16(p + 56);
    h->shentsize = le_read16(p + 58);
    h->shnum = le_read16(p + 60);
    h->shstrndx = le_read16(p + 62);
}

void mod_elf_section(const struct mod_elf *elf, uint32_t index, struct elf64_section *s)
{
    const uint8_t *p = elf->data + elf->section_offset + (uint64_t)index * ELF_SECTION_SIZE;
    s->name = le_read32(p);
    s->type = le_read32(p + 4);
    s->flags = le_read64(p + 8);
    s->addr = le_read64(p + 16);
    s->offset = le_read64(p + 24);
    s->size = le_read64(p + 32);
    s->link = le_read32(p + 40);
    s->info = le_read32(p + 44);
    s->addralign = le_read64(p + 48);
    s->entsize = le_read64(p + 56);
}

void mod_elf_symbol(const struct mod_elf *elf, uint32_t index, struct elf64_symbol *s)
{
    struct elf64_section symtab;
    mod_elf_section(elf, elf->symtab_index, &symtab);
    const uint8_t *p = elf->data + symtab.offset + (uint64_t)index * ELF_SYMBOL_SIZE;
    s->name = le_read32(p);
    s->info = p[4];
    s->other = p[5];
    s->shndx = le_read16(p + 6);
    s->value = le_read64(p + 8);
    s->size = le_read64(p + 16);
}

const uint8_t *mod_elf_section_data(const struct mod_elf *elf, uint32_t index)
{
    struct elf64_section s;
    mod_elf_section(elf, index, &s);
    if (s.type == SHT_NOBITS || s.type == SHT_NULL)
        return NULL;
    return elf->data + s.offset;
}

/* Strings of a validated string table are terminated by its last byte. */
static const char *string_at(const struct mod_elf *elf, uint32_t table, uint32_t offset)
{
    struct elf64_section s;
    mod_elf_section(elf, table, &s);
    return (const char *)elf->data + s.offset + offset;
}

const char *mod_elf_section_name(const struct mod_elf *elf, uint32_t index)
{
    struct elf64_section s;
    mod_elf_section(elf, index, &s);
    return string_at(elf, elf->shstrtab_index, s.name);
}

const char *mod_elf_symbol_name(const struct mod_elf *elf, uint32_t index)
{
    struct elf64_symbol sym;
    mod_elf_symbol(elf, index, &sym);
    return string_at(elf, elf->strtab_index, sym.name);
}

static enum mod_status check_header(struct mod_elf *elf, struct elf64_header *h,
                                    struct mod_error *err)
{
    if (elf->size < ELF_HEADER_SIZE)
        return mod_fail(err, MOD_E_ELF_TRUNCATED, "ELF header truncated: %llu bytes, need %d",
                        (unsigned long long)elf->size, ELF_HEADER_SIZE);
    decode_header(elf->data, h);
    if (memcmp(h->ident, "\177ELF", 4) != 0)
        return mod_fail(err, MOD_E_ELF_MAGIC, "bad ELF magic");
    if (h->ident[4] != ELF_CLASS64 || h->ident[5] != ELF_DATA_LSB ||
        h->ident[6] != ELF_VERSION_CURRENT || h->version != ELF_VERSION_CURRENT)
        return mod_fail(err, MOD_E_ELF_CLASS,
                        "ELF class %u, data %u, version %u: need 64-bit little-endian v1",
                        h->ident[4], h->ident[5], h->ident[6]);
    if (h->type != ELF_TYPE_REL)
        return mod_fail(err, MOD_E_ELF_TYPE,
                        "ELF type %u: a module must be a relocatable object (ET_REL)", h->type);
    if (h->machine != ELF_MACHINE_X86_64)
        return mod_fail(err, MOD_E_ELF_MACHINE, "ELF machine %u: need x86-64 (62)", h->machine);
    if (h->ehsize != ELF_HEADER_SIZE || h->shentsize != ELF_SECTION_SIZE)
        return mod_fail(err, MOD_E_ELF_HEADER, "ELF header size %u, section entry size %u",
                        h->ehsize, h->shentsize);
    if (h->shnum == 0)
        return mod_fail(err, MOD_E_ELF_HEADER,
                        "no section headers (extended numbering is not supported)");
    if (!mod_range_ok(h->shoff, (uint64_t)h->shnum * ELF_SECTION_SIZE, elf->size))
        return mod_fail(
            err, MOD_E_ELF_SECTION_BOUNDS,
            "section header table (offset %llu, %u entries) past end of file (%llu bytes)",
            (unsigned long long)h->shoff, h->shnum, (unsigned long long)elf->size);
    if (h->shstrndx == SHN_UNDEF || h->shstrndx >= h->shnum)
        return mod_fail(err, MOD_E_ELF_HEADER,
                        "section name table index %u out of range (%u sections)", h->shstrndx,
                        h->shnum);
    elf->section_count = h->shnum;
    elf->section_offset = h->shoff;
    elf->shstrtab_index = h->shstrndx;
    return MOD_OK;
}

/* A string table is usable when it lies in the file and ends with NUL. */
static enum mod_status check_string_table(const struct mod_elf *elf, uint32_t index,
                                          const char *what, struct mod_error *err)
{
    struct elf64_section s;
    mod_elf_section(elf, index, &s);
    if (s.type != SHT_STRTAB)
        return mod_fail(err, MOD_E_ELF_STRING, "%s (section %u) is not a string table", what,
                        index);
    if (s.size == 0 || elf->data[s.offset + s.size - 1] != 0)
        return mod_fail(err, MOD_E_ELF_STRING, "%s (section %u) is empty or not NUL-terminated",
                        what, index);
    return MOD_OK;
}

static int is_loadable_type(uint32_t type)
{
    switch (type) {
    case SHT_PROGBITS:
    case SHT_NOBITS:
    case SHT_NOTE:
    case SHT_INIT_ARRAY:
    case SHT_FINI_ARRAY:
    case SHT_PREINIT_ARRAY:
    case SHT_X86_64_UNWIND:
        return 1;
    default:
        return 0;
    }
}

/* Bounds, alignment and flags of section i (names checked afterwards). */
static enum mod_status check_section(struct mod_elf *elf, uint32_t i, struct mod_error *err)
{
    struct elf64_section s;
    mod_elf_section(elf, i, &s);
    if (s.type != SHT_NOBITS && s.type != SHT_NULL && !mod_range_ok(s.offset, s.size, elf->size))
        return mod_fail(err, MOD_E_ELF_SECTION_BOUNDS,
                        "section %u: offset %llu size %llu past end of file (%llu bytes)", i,
                        (unsigned long long)s.offset, (unsigned long long)s.size,
                        (unsigned long long)elf->size);
    if (s.addralign & (s.addralign - 1))
        return mod_fail(err, MOD_E_ELF_SECTION, "section %u: alignment %llu is not a power of two",
                        i, (unsigned long long)s.addralign);
    if (!(s.flags & SHF_ALLOC))
        return MOD_OK;
    if (!is_loadable_type(s.type))
        return mod_fail(err, MOD_E_ELF_SECTION, "section %u: allocated section of type 0x%x", i,
                        s.type);
    if (s.flags & SHF_TLS)
        return mod_fail(err, MOD_E_ELF_SECTION, "section %u: thread-local storage is not supported",
                        i);
    if ((s.flags & SHF_WRITE) && (s.flags & SHF_EXECINSTR))
        return mod_fail(err, MOD_E_ELF_SECTION, "section %u: writable and executable", i);
    if (s.addralign > MOD_ELF_MAX_ALIGN)
        return mod_fail(err, MOD_E_ELF_SECTION, "section %u: alignment %llu above %d", i,
                        (unsigned long long)s.addralign, MOD_ELF_MAX_ALIGN);
    return MOD_OK;
}

/* Finds the one symbol table and checks its shape and string table. */
static enum mod_status check_symtab(struct mod_elf *elf, struct mod_error *err)
{
    struct elf64_section s;
    for (uint32_t i = 1; i < elf->section_count; i++) {
        mod_elf_section(elf, i, &s);
        if (s.type == SHT_SYMTAB_SHNDX)
            return mod_fail(err, MOD_E_ELF_SYMTAB,
                            "section %u: extended symbol section indexes are not supported", i);
        if (s.type != SHT_SYMTAB)
            continue;
        if (elf->symtab_index)
            return mod_fail(err, MOD_E_ELF_SYMTAB, "section %u: second symbol table", i);
        elf->symtab_index = i;
    }
    if (!elf->symtab_index)
        return MOD_OK;
    mod_elf_section(elf, elf->symtab_index, &s);
    if (s.entsize != ELF_SYMBOL_SIZE || s.size % ELF_SYMBOL_SIZE || s.size == 0 ||
        s.size / ELF_SYMBOL_SIZE > UINT32_MAX)
        return mod_fail(err, MOD_E_ELF_SYMTAB,
                        "symbol table (section %u): entry size %llu, size %llu", elf->symtab_index,
                        (unsigned long long)s.entsize, (unsigned long long)s.size);
    if (s.link == 0 || s.link >= elf->section_count)
        return mod_fail(err, MOD_E_ELF_SYMTAB,
                        "symbol table (section %u): string table index %u out of range",
                        elf->symtab_index, s.link);
    elf->symbol_count = (uint32_t)(s.size / ELF_SYMBOL_SIZE);
    elf->strtab_index = s.link;
    return check_string_table(elf, s.link, "symbol string table", err);
}

static enum mod_status check_symbol(const struct mod_elf *elf, uint32_t i, uint64_t strtab_size,
                                    struct mod_error *err)
{
    struct elf64_symbol sym;
    struct elf64_section s;
    mod_elf_symbol(elf, i, &sym);
    if (sym.name >= strtab_size)
        return mod_fail(err, MOD_E_ELF_STRING,
                        "symbol %u: name offset %u past string table (%llu bytes)", i, sym.name,
                        (unsigned long long)strtab_size);
    const char *name = mod_elf_symbol_name(elf, i);
    unsigned type = ELF_SYMBOL_TYPE(sym.info);
    if (type == STT_TLS || type == STT_GNU_IFUNC)
        return mod_fail(err, MOD_E_ELF_SYMBOL, "symbol %u '%s': type %u (TLS/ifunc) not supported",
                        i, name, type);
    if (sym.shndx == SHN_COMMON || type == STT_COMMON)
        return mod_fail(err, MOD_E_ELF_SYMBOL,
                        "symbol %u '%s': common symbol (build with -fno-common)", i, name);
    if (sym.shndx == SHN_UNDEF || sym.shndx == SHN_ABS)
        return MOD_OK;
    if (sym.shndx >= elf->section_count)
        return mod_fail(err, MOD_E_ELF_SYMBOL,
                        "symbol %u '%s': section index 0x%x out of range (%u sections)", i, name,
                        sym.shndx, elf->section_count);
    mod_elf_section(elf, sym.shndx, &s);
    if ((s.flags & SHF_ALLOC) && sym.value > s.size)
        return mod_fail(err, MOD_E_ELF_SYMBOL,
                        "symbol %u '%s': value 0x%llx past the end of section %u (%llu bytes)", i,
                        name, (unsigned long long)sym.value, sym.shndx, (unsigned long long)s.size);
    return MOD_OK;
}

static enum mod_status check_rela_section(const struct mod_elf *elf, uint32_t i,
                                          struct mod_error *err)
{
    struct elf64_section s, target;
    mod_elf_section(elf, i, &s);
    if (s.type == SHT_REL)
        return mod_fail(err, MOD_E_ELF_RELOC_SECTION,
                        "section %u '%s': SHT_REL relocations (x86-64 uses SHT_RELA)", i,
                        mod_elf_section_name(elf, i));
    if (s.type != SHT_RELA)
        return MOD_OK;
    const char *name = mod_elf_section_name(elf, i);
    if (s.entsize != ELF_RELA_SIZE || s.size % ELF_RELA_SIZE)
        return mod_fail(err, MOD_E_ELF_RELOC_SECTION, "section %u '%s': entry size %llu, size %llu",
                        i, name, (unsigned long long)s.entsize, (unsigned long long)s.size);
    if (s.info == 0 || s.info >= elf->section_count)
        return mod_fail(err, MOD_E_ELF_RELOC_SECTION,
                        "section %u '%s': relocates missing section %u", i, name, s.info);
    mod_elf_section(elf, s.info, &target);
    if (!(target.flags & SHF_ALLOC))
        return MOD_OK; /* relocations of debug info: never applied */
    if (!elf->symtab_index || s.link != elf->symtab_index)
        return mod_fail(err, MOD_E_ELF_RELOC_SECTION,
                        "section %u '%s': symbol table link %u is not the symbol table", i, name,
                        s.link);
    if (target.type == SHT_NOBITS)
        return mod_fail(err, MOD_E_ELF_RELOC_SECTION, "section %u '%s': relocates a NOBITS section",
                        i, name);
    return MOD_OK;
}

enum mod_status mod_elf_parse(struct mod_elf *elf, const void *data, size_t size,
                              struct mod_error *err)
{
    struct elf64_header h;
    struct elf64_section s;
    enum mod_status st;

    memset(elf, 0, sizeof(*elf));
    elf->data = data;
    elf->size = size;
    if ((st = check_header(elf, &h, err)))
        return st;
    for (uint32_t i = 0; i < elf->section_count; i++)
        if ((st = check_section(elf, i, err)))
            return st;
    if ((st = check_string_table(elf, elf->shstrtab_index, "section name table", err)))
        return st;
    mod_elf_section(elf, elf->shstrtab_index, &s);
    uint64_t shstrtab_size = s.size;
    for (uint32_t i = 0; i < elf->section_count; i++) {
        mod_elf_section(elf, i, &s);
        if (s.name >= shstrtab_size)
            return mod_fail(err, MOD_E_ELF_STRING,
                            "section %u: name offset %u past section name table", i, s.name);
    }
    if ((st = check_symtab(elf, err)))
        return st;
    if (elf->symtab_index) {
        mod_elf_section(elf, elf->strtab_index, &s);
        for (uint32_t i = 0; i < elf->symbol_count; i++)
            if ((st = check_symbol(elf, i, s.size, err)))
                return st;
    }
    for (uint32_t i = 1; i < elf->section_count; i++)
        if ((st = check_rela_section(elf, i, err)))
            return st;
    return MOD_OK;
}

uint32_t mod_elf_find_section(const struct mod_elf *elf, const char *name)
{
    for (uint32_t i = 1; i < elf->section_count; i++)
        if (strcmp(mod_elf_section_name(elf, i), name) == 0)
            return i;
    return 0;
}

uint32_t mod_elf_find_export(const struct mod_elf *elf, const char *name)
{
    struct elf64_symbol sym;
    for (uint32_t i = 1; i < elf->symbol_count; i++) {
        mod_elf_symbol(elf, i, &sym);
        unsigned bind = ELF_SYMBOL_BIND(sym.info);
        if ((bind == STB_GLOBAL || bind == STB_WEAK) && sym.shndx != SHN_UNDEF &&
            strcmp(mod_elf_symbol_name(elf, i), name) == 0)
            return i;
    }
    return 0;
}

/* The bytes of .wisp.exports, or NULL. */
static const char *export_names(const struct mod_elf *elf, uint64_t *size)
{
    uint32_t idx = mod_elf_find_section(elf, ".wisp.exports");
    struct elf64_section sh;
    if (!idx)
        return NULL;
    mod_elf_section(elf, idx, &sh);
    *size = sh.size;
    return (const char *)mod_elf_section_data(elf, idx);
}

bool mod_elf_next_export(const struct mod_elf *elf, uint64_t *offset, const char **name)
{
    uint64_t size = 0;
    const char *names = export_names(elf, &size);
    if (!names || *offset >= size)
        return false;
    size_t n = strnlen(names + *offset, size - *offset);
    if (n == size - *offset)
        return false; /* unterminated */
    *name = names + *offset;
    *offset += n + 1;
    return true;
}

enum mod_status mod_elf_exports_valid(const struct mod_elf *elf, uint32_t *count,
                                      struct mod_error *err)
{
    uint64_t size = 0, offset = 0;
    const char *name;
    *count = 0;
    while (mod_elf_next_export(elf, &offset, &name))
        (*count)++;
    if (export_names(elf, &size) && offset < size)
        return mod_fail(err, MOD_E_ELF_STRING, ".wisp.exports: name at offset %lu is unterminated",
                        (unsigned long)offset);
    return MOD_OK;
}

int mod_elf_symbol_is_import(const struct mod_elf *elf, uint32_t index)
{
    struct elf64_symbol sym;
    if (index == 0 || index >= elf->symbol_count)
        return 0;
    mod_elf_symbol(elf, index, &sym);
    return sym.shndx == SHN_UNDEF && ELF_SYMBOL_BIND(sym.info) != STB_LOCAL &&
           strcmp(mod_elf_symbol_name(elf, index), MOD_ELF_GOT_SYMBOL) != 0;
}
