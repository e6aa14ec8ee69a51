/* exec.c — validation, loading and relocation of ELF64 x86-64 position-
 * independent executables (see exec.h). Every offset read from the file is
 * range-checked in mod_exec_parse(), once, so that mod_exec_copy() and
 * mod_exec_relocate() can trust the tables. */
#include "modload/format/exec.h"
#include "modload/format/reloc.h"
#include "modload/format/le.h"
#include <string.h>

#define PAGE MOD_EXEC_PAGE_SIZE

#define DT_NULL     0
#define DT_NEEDED   1
#define DT_PLTRELSZ 2
#define DT_STRTAB   5
#define DT_SYMTAB   6
#define DT_RELA     7
#define DT_RELASZ   8
#define DT_RELAENT  9
#define DT_STRSZ    10
#define DT_SYMENT   11
#define DT_REL      17
#define DT_TEXTREL  22
#define DT_JMPREL   23
#define DT_PLTREL   20
#define DT_FLAGS    30
#define DT_RELRSZ   35
#define DT_RELR     36
#define DF_TEXTREL  4

static uint64_t page_down(uint64_t x) { return x & ~(PAGE - 1); }
static uint64_t page_up(uint64_t x) { return (x + PAGE - 1) & ~(PAGE - 1); }

const char *mod_exec_reloc_name(uint32_t type)
{
    switch (type) {
    case 0:
        return "R_X86_64_NONE";
    case 1:
        return "R_X86_64_64";
    case R_X86_64_GLOB_DAT:
        return "R_X86_64_GLOB_DAT";
    case R_X86_64_JUMP_SLOT:
        return "R_X86_64_JUMP_SLOT";
    case R_X86_64_RELATIVE:
        return "R_X86_64_RELATIVE";
    }
    return NULL;
}

static void decode_phdr(const uint8_t *p, struct elf64_phdr *ph)
{
    ph->type = le_read32(p);
    ph->flags = le_read32(p + 4);
    ph->offset = le_read64(p + 8);
    ph->vaddr = le_read64(p + 16);
    ph->paddr = le_read64(p + 24);
    ph->filesz = le_read64(p + 32);
    ph->memsz = le_read64(p + 40);
    ph->align = le_read64(p + 48);
}

/* File offset of [vaddr, vaddr + length), which must lie in the file bytes
 * of one PT_LOAD; limit (if not NULL) is where those bytes end. */
static int file_range(const struct mod_exec *exec, uint64_t vaddr, uint64_t length,
                      uint64_t *offset, uint64_t *limit)
{
    for (uint32_t i = 0; i < exec->segment_count; i++) {
        const struct mod_exec_segment *s = &exec->segments[i];
        if (vaddr < s->vaddr || !mod_range_ok(vaddr - s->vaddr, length, s->filesz))
            continue;
        *offset = s->offset + (vaddr - s->vaddr);
        if (limit)
            *limit = s->offset + s->filesz;
        return 1;
    }
    return 0;
}

/* The writable PT_LOAD whose memory holds [vaddr, vaddr + length), or -1. */
static int writable_segment(const struct mod_exec *exec, uint64_t vaddr, uint64_t length)
{
    for (uint32_t i = 0; i < exec->segment_count; i++) {
        const struct mod_exec_segment *s = &exec->segments[i];
        if ((s->flags & PF_W) && vaddr >= s->vaddr &&
            mod_range_ok(vaddr - s->vaddr, length, s->memsz))
            return (int)i;
    }
    return -1;
}

static enum mod_status check_header(struct mod_exec *exec, struct elf64_header *h,
                                    struct mod_error *err)
{
    const uint8_t *p = exec->data;
    if (exec->size < ELF_HEADER_SIZE)
        return mod_fail(err, MOD_E_ELF_TRUNCATED, "program %s: ELF header truncated (%llu bytes)",
                        exec->name, (unsigned long long)exec->size);
    if (memcmp(p, "\177ELF", 4) != 0)
        return mod_fail(err, MOD_E_ELF_MAGIC, "program %s: not an ELF file", exec->name);
    if (p[4] != ELF_CLASS64 || p[5] != ELF_DATA_LSB || p[6] != ELF_VERSION_CURRENT ||
        le_read32(p + 20) != ELF_VERSION_CURRENT)
        return mod_fail(err, MOD_E_ELF_CLASS, "program %s: not ELF64 little-endian version 1",
                        exec->name);
    h->type = le_read16(p + 16);
    h->machine = le_read16(p + 18);
    h->entry = le_read64(p + 24);
    h->phoff = le_read64(p + 32);
    h->ehsize = le_read16(p + 52);
    h->phentsize = le_read16(p + 54);
    h->phnum = le_read16(p + 56);
    if (h->type != ELF_TYPE_DYN)
        return mod_fail(err, MOD_E_EXEC_TYPE,
                        "program %s: ELF type %u, need a position-independent executable (ET_DYN)",
                        exec->name, h->type);
    if (h->machine != ELF_MACHINE_X86_64)
        return mod_fail(err, MOD_E_ELF_MACHINE, "program %s: ELF machine %u, need x86-64 (62)",
                        exec->name, h->machine);
    if (h->ehsize != ELF_HEADER_SIZE || h->phentsize != ELF_PHDR_SIZE || h->phnum == 0 ||
        h->phnum > MOD_EXEC_MAX_PHDRS)
        return mod_fail(err, MOD_E_ELF_HEADER,
                        "program %s: header size %u, program header size %u, %u program headers "
                        "(need 64, 56, 1..%d)",
                        exec->name, h->ehsize, h->phentsize, h->phnum, MOD_EXEC_MAX_PHDRS);
    if (!mod_range_ok(h->phoff, (uint64_t)h->phnum * ELF_PHDR_SIZE, exec->size))
        return mod_fail(err, MOD_E_ELF_HEADER,
                        "program %s: program headers at 0x%llx outside the file (%llu bytes)",
                        exec->name, (unsigned long long)h->phoff, (unsigned long long)exec->size);
    return MOD_OK;
}

static enum mod_status add_load(struct mod_exec *exec, uint32_t index, const struct elf64_phdr *ph,
                                struct mod_error *err)
{
    const char *n = exec->name;
    if (exec->segment_count == MOD_EXEC_MAX_SEGMENTS)
        return mod_fail(err, MOD_E_EXEC_SEGMENT, "program %s: segment %u: more than %d PT_LOAD", n,
                        index, MOD_EXEC_MAX_SEGMENTS);
    if (ph->memsz == 0 && ph->filesz == 0)
        return MOD_OK; /* an empty segment (ld leaves one for an empty .eh_frame) */
    if (ph->filesz > ph->memsz)
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: segment %u: file size 0x%llx, memory size 0x%llx", n, index,
                        (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
    if (!mod_range_ok(ph->offset, ph->filesz, exec->size))
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: segment %u: file bytes 0x%llx+0x%llx outside the file", n,
                        index, (unsigned long long)ph->offset, (unsigned long long)ph->filesz);
    if (!mod_range_ok(ph->vaddr, ph->memsz, MOD_EXEC_MAX_SIZE))
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: segment %u: 0x%llx+0x%llx beyond the %llu MiB limit", n, index,
                        (unsigned long long)ph->vaddr, (unsigned long long)ph->memsz,
                        MOD_EXEC_MAX_SIZE >> 20);
    if (ph->vaddr % PAGE != ph->offset % PAGE)
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: segment %u: address 0x%llx and file offset 0x%llx differ "
                        "modulo the page size",
                        n, index, (unsigned long long)ph->vaddr, (unsigned long long)ph->offset);
    if ((ph->flags & PF_W) && (ph->flags & PF_X))
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: segment %u at 0x%llx is writable and executable", n, index,
                        (unsigned long long)ph->vaddr);
    if (ph->flags & ~(PF_R | PF_W | PF_X))
        return mod_fail(err, MOD_E_EXEC_SEGMENT, "program %s: segment %u: unknown flags 0x%x", n,
                        index, ph->flags);
    if (exec->segment_count && page_down(ph->vaddr) < exec->image_size)
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: segment %u at 0x%llx overlaps or precedes the pages of the "
                        "one before (ending at 0x%llx)",
                        n, index, (unsigned long long)ph->vaddr,
                        (unsigned long long)exec->image_size);
    exec->segments[exec->segment_count++] = (struct mod_exec_segment){
        .vaddr = ph->vaddr,
        .memsz = ph->memsz,
        .offset = ph->offset,
        .filesz = ph->filesz,
        .flags = ph->flags,
    };
    exec->image_size = page_up(ph->vaddr + ph->memsz);
    return MOD_OK;
}

/* Walks the program headers: PT_LOAD into segments, the others checked. */
static enum mod_status read_phdrs(struct mod_exec *exec, const struct elf64_header *h,
                                  struct elf64_phdr *dynamic, struct elf64_phdr *relro,
                                  struct mod_error *err)
{
    const char *n = exec->name;
    enum mod_status st;
    for (uint32_t i = 0; i < h->phnum; i++) {
        struct elf64_phdr ph;
        decode_phdr(exec->data + h->phoff + (uint64_t)i * ELF_PHDR_SIZE, &ph);
        switch (ph.type) {
        case PT_LOAD:
            if ((st = add_load(exec, i, &ph, err)))
                return st;
            break;
        case PT_DYNAMIC:
        case PT_GNU_RELRO: {
            struct elf64_phdr *slot = ph.type == PT_DYNAMIC ? dynamic : relro;
            if (slot->type)
                return mod_fail(err, MOD_E_EXEC_SEGMENT, "program %s: segment %u: a second %s", n,
                                i, ph.type == PT_DYNAMIC ? "PT_DYNAMIC" : "PT_GNU_RELRO");
            *slot = ph;
            break;
        }
        case PT_GNU_STACK:
            if (ph.flags & PF_X)
                return mod_fail(err, MOD_E_EXEC_SEGMENT,
                                "program %s: segment %u: PT_GNU_STACK asks for an executable "
                                "stack",
                                n, i);
            break;
        case PT_NULL:
        case PT_NOTE:
        case PT_PHDR:
        case PT_GNU_EH_FRAME:
        case PT_GNU_PROPERTY:
            break;
        case PT_INTERP:
            return mod_fail(err, MOD_E_EXEC_SEGMENT,
                            "program %s: segment %u: PT_INTERP (a dynamic linker): link with "
                            "--no-dynamic-linker",
                            n, i);
        default:
            return mod_fail(err, MOD_E_EXEC_SEGMENT,
                            "program %s: segment %u: program header type 0x%x not supported", n, i,
                            ph.type);
        }
    }
    if (exec->segment_count == 0)
        return mod_fail(err, MOD_E_EXEC_SEGMENT, "program %s: no PT_LOAD segment", n);
    return MOD_OK;
}

static enum mod_status check_entry_and_relro(struct mod_exec *exec, uint64_t entry,
                                             const struct elf64_phdr *relro, struct mod_error *err)
{
    uint32_t i = 0;
    while (i < exec->segment_count &&
           !((exec->segments[i].flags & PF_X) && entry >= exec->segments[i].vaddr &&
             entry - exec->segments[i].vaddr < exec->segments[i].filesz))
        i++;
    if (i == exec->segment_count)
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: entry point 0x%llx is not in an executable segment",
                        exec->name, (unsigned long long)entry);
    exec->entry = entry;
    if (!relro->type)
        return MOD_OK;
    /* ld rounds RELRO's end up to a page, past the segment's memsz. */
    int w = relro->memsz ? writable_segment(exec, relro->vaddr, 1) : -1;
    if (w < 0 || !mod_range_ok(relro->vaddr - exec->segments[w].vaddr, relro->memsz,
                               page_up(exec->segments[w].vaddr + exec->segments[w].memsz) -
                                   exec->segments[w].vaddr))
        return mod_fail(err, MOD_E_EXEC_SEGMENT,
                        "program %s: PT_GNU_RELRO 0x%llx+0x%llx is not inside one writable "
                        "segment",
                        exec->name, (unsigned long long)relro->vaddr,
                        (unsigned long long)relro->memsz);
    exec->relro_start = relro->vaddr;
    exec->relro_end = relro->vaddr + relro->memsz;
    return MOD_OK;
}

struct dynamic_tags {
    uint64_t value[DT_JMPREL + 1];
    uint32_t seen; /* bit per tag <= DT_JMPREL */
    uint32_t needed_count;
    uint64_t needed_name;
};

static enum mod_status read_dynamic(struct mod_exec *exec, const struct elf64_phdr *dynamic,
                                    struct dynamic_tags *tags, struct mod_error *err)
{
    const char *n = exec->name;
    uint64_t offset;
    if (!file_range(exec, dynamic->vaddr, dynamic->filesz, &offset, NULL))
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: PT_DYNAMIC 0x%llx+0x%llx is not in the file bytes of a "
                        "segment",
                        n, (unsigned long long)dynamic->vaddr, (unsigned long long)dynamic->filesz);
    for (uint64_t i = 0; (i + 1) * ELF_DYN_SIZE <= dynamic->filesz; i++) {
        const uint8_t *p = exec->data + offset + i * ELF_DYN_SIZE;
        uint64_t tag = le_read64(p), value = le_read64(p + 8);
        if (tag == DT_NULL)
            return MOD_OK;
        if (tag == DT_REL || tag == DT_TEXTREL || tag == DT_RELR || tag == DT_RELRSZ ||
            (tag == DT_FLAGS && (value & DF_TEXTREL)))
            return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                            "program %s: dynamic entry %llu: tag %llu not supported (REL, RELR "
                            "or text relocations)",
                            n, (unsigned long long)i, (unsigned long long)tag);
        if (tag == DT_NEEDED) {
            tags->needed_count++;
            tags->needed_name = value;
        } else if (tag <= DT_JMPREL) {
            tags->value[tag] = value;
            tags->seen |= 1u << tag;
        }
    }
    return mod_fail(err, MOD_E_EXEC_DYNAMIC, "program %s: PT_DYNAMIC has no DT_NULL terminator", n);
}

static bool has(const struct dynamic_tags *t, unsigned tag) { return t->seen & (1u << tag); }

/* A relocation table from its address/size/entry-size tags. */
static enum mod_status rela_table(struct mod_exec *exec, const struct dynamic_tags *t,
                                  unsigned addr_tag, unsigned size_tag, const char *what,
                                  struct mod_exec_rela_table *out, struct mod_error *err)
{
    if (!has(t, addr_tag) && !has(t, size_tag))
        return MOD_OK;
    uint64_t size = t->value[size_tag];
    if (!has(t, addr_tag) || !has(t, size_tag) || size % ELF_RELA_SIZE != 0)
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: %s: address or size missing, or size %llu not a multiple of "
                        "%d",
                        exec->name, what, (unsigned long long)size, ELF_RELA_SIZE);
    if (!file_range(exec, t->value[addr_tag], size, &out->offset, NULL))
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: %s 0x%llx+0x%llx is not in the file bytes of a segment",
                        exec->name, what, (unsigned long long)t->value[addr_tag],
                        (unsigned long long)size);
    out->count = size / ELF_RELA_SIZE;
    return MOD_OK;
}

/* NUL-terminated string at offset of the string table, or NULL. */
static const char *string_at(const struct mod_exec *exec, uint64_t offset)
{
    if (offset >= exec->strtab_size)
        return NULL;
    const char *s = (const char *)exec->data + exec->strtab_offset + offset;
    return strnlen(s, exec->strtab_size - offset) < exec->strtab_size - offset ? s : NULL;
}

static enum mod_status check_tables(struct mod_exec *exec, const struct dynamic_tags *t,
                                    struct mod_error *err)
{
    const char *n = exec->name;
    enum mod_status st;
    if ((has(t, DT_RELAENT) && t->value[DT_RELAENT] != ELF_RELA_SIZE) ||
        (has(t, DT_SYMENT) && t->value[DT_SYMENT] != ELF_SYMBOL_SIZE) ||
        (has(t, DT_JMPREL) && t->value[DT_PLTREL] != DT_RELA))
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: DT_RELAENT %llu, DT_SYMENT %llu, DT_PLTREL %llu (need 24, "
                        "24, DT_RELA)",
                        n, (unsigned long long)t->value[DT_RELAENT],
                        (unsigned long long)t->value[DT_SYMENT],
                        (unsigned long long)t->value[DT_PLTREL]);
    if ((st = rela_table(exec, t, DT_RELA, DT_RELASZ, "DT_RELA", &exec->rela, err)) ||
        (st = rela_table(exec, t, DT_JMPREL, DT_PLTRELSZ, "DT_JMPREL", &exec->jmprel, err)))
        return st;
    if (has(t, DT_STRTAB) != has(t, DT_STRSZ) ||
        (has(t, DT_STRTAB) &&
         !file_range(exec, t->value[DT_STRTAB], t->value[DT_STRSZ], &exec->strtab_offset, NULL)))
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: DT_STRTAB 0x%llx+0x%llx missing or not in the file bytes of "
                        "a segment",
                        n, (unsigned long long)t->value[DT_STRTAB],
                        (unsigned long long)t->value[DT_STRSZ]);
    exec->strtab_size = has(t, DT_STRTAB) ? t->value[DT_STRSZ] : 0;
    if (has(t, DT_SYMTAB) && !file_range(exec, t->value[DT_SYMTAB], ELF_SYMBOL_SIZE,
                                         &exec->symtab_offset, &exec->symtab_limit))
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: DT_SYMTAB 0x%llx is not in the file bytes of a segment", n,
                        (unsigned long long)t->value[DT_SYMTAB]);
    if (t->needed_count == 0)
        return MOD_OK;
    const char *needed = string_at(exec, t->needed_name);
    if (t->needed_count > 1 || !needed || strcmp(needed, MOD_EXEC_GHOST_LIBRARY) != 0)
        return mod_fail(err, MOD_E_EXEC_DYNAMIC,
                        "program %s: needs %u shared objects (%s): only %s is allowed", n,
                        t->needed_count, needed ? needed : "bad name", MOD_EXEC_GHOST_LIBRARY);
    exec->needs_ghost_library = true;
    return MOD_OK;
}

static void read_symbol(const struct mod_exec *exec, uint32_t index, struct elf64_symbol *s)
{
    const uint8_t *p = exec->data + exec->symtab_offset + (uint64_t)index * ELF_SYMBOL_SIZE;
    s->name = le_read32(p);
    s->info = p[4];
    s->other = p[5];
    s->shndx = le_read16(p + 6);
    s->value = le_read64(p + 8);
    s->size = le_read64(p + 16);
}

static void read_rela(const struct mod_exec *exec, const struct mod_exec_rela_table *table,
                      uint64_t index, struct elf64_rela *r)
{
    const uint8_t *p = exec->data + table->offset + index * ELF_RELA_SIZE;
    r->offset = le_read64(p);
    r->info = le_read64(p + 8);
    r->addend = (int64_t)le_read64(p + 16);
}

static enum mod_status check_relocation(const struct mod_exec *exec, const char *table_name,
                                        uint64_t index, const struct elf64_rela *r,
                                        struct mod_error *err)
{
    const char *n = exec->name;
    uint32_t type = ELF_RELA_TYPE(r->info), sym = ELF_RELA_SYMBOL(r->info);
    if (type == 0)
        return MOD_OK;
    if (!mod_exec_reloc_name(type))
        return mod_fail(err, MOD_E_RELOC_TYPE,
                        "program %s: %s relocation %llu (offset 0x%llx): type %u not supported", n,
                        table_name, (unsigned long long)index, (unsigned long long)r->offset, type);
    if (writable_segment(exec, r->offset, 8) < 0)
        return mod_fail(err, MOD_E_RELOC_BOUNDS,
                        "program %s: %s relocation %llu (offset 0x%llx): not inside a writable "
                        "segment",
                        n, table_name, (unsigned long long)index, (unsigned long long)r->offset);
    if (type == R_X86_64_RELATIVE)
        return MOD_OK;
    struct elf64_symbol s;
    if (sym == 0 || !exec->symtab_limit ||
        (uint64_t)sym >= (exec->symtab_limit - exec->symtab_offset) / ELF_SYMBOL_SIZE)
        return mod_fail(err, MOD_E_RELOC_SYMBOL,
                        "program %s: %s relocation %llu (offset 0x%llx): symbol %u outside the "
                        "symbol table",
                        n, table_name, (unsigned long long)index, (unsigned long long)r->offset,
                        sym);
    read_symbol(exec, sym, &s);
    if (!string_at(exec, s.name) || (s.shndx != SHN_UNDEF && s.value > exec->image_size) ||
        ELF_SYMBOL_TYPE(s.info) == STT_TLS || ELF_SYMBOL_TYPE(s.info) == STT_GNU_IFUNC)
        return mod_fail(err, MOD_E_RELOC_SYMBOL,
                        "program %s: %s relocation %llu (offset 0x%llx): symbol %u has a bad "
                        "name, value or type",
                        n, table_name, (unsigned long long)index, (unsigned long long)r->offset,
                        sym);
    return MOD_OK;
}

static enum mod_status check_relocations(const struct mod_exec *exec, struct mod_error *err)
{
    const struct mod_exec_rela_table *tables[2] = { &exec->rela, &exec->jmprel };
    static const char *const names[2] = { "DT_RELA", "DT_JMPREL" };
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < tables[t]->count; i++) {
            struct elf64_rela r;
            read_rela(exec, tables[t], i, &r);
            enum mod_status st = check_relocation(exec, names[t], i, &r, err);
            if (st)
                return st;
        }
    }
    return MOD_OK;
}

enum mod_status mod_exec_parse(struct mod_exec *exec, const char *name, const void *data,
                               size_t size, struct mod_error *err)
{
    memset(exec, 0, sizeof(*exec));
    exec->data = data;
    exec->size = size;
    size_t len = strnlen(name, sizeof(exec->name) - 1);
    memcpy(exec->name, name, len);
    struct elf64_header h = { 0 };
    struct elf64_phdr dynamic = { 0 }, relro = { 0 };
    struct dynamic_tags tags;
    memset(&tags, 0, sizeof(tags));
    enum mod_status st;
    if ((st = check_header(exec, &h, err)) || (st = read_phdrs(exec, &h, &dynamic, &relro, err)) ||
        (st = check_entry_and_relro(exec, h.entry, &relro, err)))
        return st;
    if (dynamic.type &&
        ((st = read_dynamic(exec, &dynamic, &tags, err)) || (st = check_tables(exec, &tags, err))))
        return st;
    return check_relocations(exec, err);
}

/* ---- loading ---- */

static void write_bytes(const struct mod_exec_target *t, uint64_t offset, const uint8_t *src,
                        uint64_t n)
{
    while (n) {
        uint64_t in_page = PAGE - offset % PAGE, chunk = n < in_page ? n : in_page;
        memcpy(t->page(t->context, offset / PAGE) + offset % PAGE, src, chunk);
        offset += chunk;
        src += chunk;
        n -= chunk;
    }
}

void mod_exec_copy(const struct mod_exec *exec, const struct mod_exec_target *target)
{
    for (uint32_t i = 0; i < exec->segment_count; i++) {
        const struct mod_exec_segment *s = &exec->segments[i];
        for (uint64_t va = page_down(s->vaddr); va < page_up(s->vaddr + s->memsz); va += PAGE)
            memset(target->page(target->context, va / PAGE), 0, PAGE);
        write_bytes(target, s->vaddr, exec->data + s->offset, s->filesz);
    }
}

static enum mod_status symbol_value(const struct mod_exec *exec,
                                    const struct mod_exec_target *target, uint32_t index,
                                    uint64_t *value, struct mod_error *err)
{
    struct elf64_symbol s;
    read_symbol(exec, index, &s);
    const char *name = string_at(exec, s.name);
    if (s.shndx != SHN_UNDEF) {
        *value = target->base + s.value;
        return MOD_OK;
    }
    const char *why = NULL;
    if (target->resolve && target->resolve(target->context, name, value, &why) == 0)
        return MOD_OK;
    return mod_fail(err, MOD_E_UNRESOLVED, "program %s: undefined symbol '%s'%s%s", exec->name,
                    name, why ? ": " : "", why ? why : "");
}

enum mod_status mod_exec_relocate(const struct mod_exec *exec, const struct mod_exec_target *target,
                                  struct mod_error *err)
{
    const struct mod_exec_rela_table *tables[2] = { &exec->rela, &exec->jmprel };
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < tables[t]->count; i++) {
            struct elf64_rela r;
            read_rela(exec, tables[t], i, &r);
            uint32_t type = ELF_RELA_TYPE(r.info);
            uint64_t value = 0;
            if (type == 0)
                continue;
            if (type == R_X86_64_RELATIVE) {
                value = target->base + (uint64_t)r.addend;
            } else {
                enum mod_status st =
                    symbol_value(exec, target, ELF_RELA_SYMBOL(r.info), &value, err);
                if (st)
                    return st;
                if (type == R_X86_64_64)
                    value += (uint64_t)r.addend;
            }
            uint8_t bytes[8];
            for (int b = 0; b < 8; b++)
                bytes[b] = (uint8_t)(value >> (8 * b));
            write_bytes(target, r.offset, bytes, 8);
        }
    }
    return MOD_OK;
}

int mod_exec_for_each_import(const struct mod_exec *exec,
                             int (*fn)(void *context, const char *name), void *context)
{
    const struct mod_exec_rela_table *tables[2] = { &exec->rela, &exec->jmprel };
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < tables[t]->count; i++) {
            struct elf64_rela r;
            struct elf64_symbol s;
            read_rela(exec, tables[t], i, &r);
            uint32_t type = ELF_RELA_TYPE(r.info);
            if (type == 0 || type == R_X86_64_RELATIVE)
                continue;
            read_symbol(exec, ELF_RELA_SYMBOL(r.info), &s);
            int result = s.shndx == SHN_UNDEF ? fn(context, string_at(exec, s.name)) : 0;
            if (result)
                return result;
        }
    }
    return 0;
}
