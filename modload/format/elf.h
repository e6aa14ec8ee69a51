/* elf.h — reader for ELF64 x86-64 relocatable objects (ET_REL), the form a
 * Wisp module takes inside its image section.
 *
 * mod_elf_parse() validates everything the loader later relies on before it
 * returns MOD_OK: the header, every section header (bounds, type, flags,
 * alignment), the section-name and symbol string tables (terminated), every
 * symbol (section index, type, value within its section) and every
 * relocation section's links. After that, the accessors below cannot read
 * outside the buffer. Relocation entries themselves are checked by
 * mod_layout_compute() (reloc.h), which knows the relocation types.
 *
 * The buffer may be at any alignment: structures are copied out with memcpy.
 * Pure code: no allocation, no locks; the buffer must stay valid and
 * unchanged while the struct mod_elf is in use.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "modload/format/error.h"

/* ELF64 structures and constants (System V ABI, x86-64 supplement). */
struct elf64_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_section {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t addralign, entsize;
};

struct elf64_symbol {
    uint32_t name;
    uint8_t info, other;
    uint16_t shndx;
    uint64_t value, size;
};

struct elf64_rela {
    uint64_t offset, info;
    int64_t addend;
};

#define ELF_CLASS64         2
#define ELF_DATA_LSB        1
#define ELF_VERSION_CURRENT 1
#define ELF_TYPE_REL        1
#define ELF_MACHINE_X86_64  62

#define SHT_NULL          0
#define SHT_PROGBITS      1
#define SHT_SYMTAB        2
#define SHT_STRTAB        3
#define SHT_RELA          4
#define SHT_NOTE          7
#define SHT_NOBITS        8
#define SHT_REL           9
#define SHT_INIT_ARRAY    14
#define SHT_FINI_ARRAY    15
#define SHT_PREINIT_ARRAY 16
#define SHT_GROUP         17
#define SHT_SYMTAB_SHNDX  18
#define SHT_X86_64_UNWIND 0x70000001u

#define SHF_WRITE     0x1u
#define SHF_ALLOC     0x2u
#define SHF_EXECINSTR 0x4u
#define SHF_TLS       0x400u

#define SHN_UNDEF     0
#define SHN_LORESERVE 0xff00u
#define SHN_ABS       0xfff1u
#define SHN_COMMON    0xfff2u
#define SHN_XINDEX    0xffffu

#define STB_LOCAL     0
#define STB_GLOBAL    1
#define STB_WEAK      2
#define STT_NOTYPE    0
#define STT_OBJECT    1
#define STT_FUNC      2
#define STT_SECTION   3
#define STT_FILE      4
#define STT_COMMON    5
#define STT_TLS       6
#define STT_GNU_IFUNC 10

#define ELF_SYMBOL_BIND(info) ((info) >> 4)
#define ELF_SYMBOL_TYPE(info) ((info)&0xf)
#define ELF_RELA_SYMBOL(info) ((uint32_t)((info) >> 32))
#define ELF_RELA_TYPE(info)   ((uint32_t)(info))

#define ELF_HEADER_SIZE  64
#define ELF_SECTION_SIZE 64
#define ELF_SYMBOL_SIZE  24
#define ELF_RELA_SIZE    24

/* Largest alignment a loaded section may ask for: one page. */
#define MOD_ELF_MAX_ALIGN 4096

struct mod_elf {
    const uint8_t *data;
    uint64_t size;
    uint32_t section_count;
    uint64_t section_offset; /* file offset of the section header table */
    uint32_t shstrtab_index;
    uint32_t symtab_index; /* 0 when the object has no symbol table */
    uint32_t symbol_count;
    uint32_t strtab_index;
};

/* Validates the object in data[0..size) and fills elf. */
enum mod_status mod_elf_parse(struct mod_elf *elf, const void *data, size_t size,
                              struct mod_error *err);

/* Accessors; valid only after mod_elf_parse() succeeded and for
 * index < section_count (sections) or index < symbol_count (symbols). */
void mod_elf_section(const struct mod_elf *elf, uint32_t index, struct elf64_section *out);
const char *mod_elf_section_name(const struct mod_elf *elf, uint32_t index);
/* File bytes of a section; NULL for SHT_NOBITS and SHT_NULL. */
const uint8_t *mod_elf_section_data(const struct mod_elf *elf, uint32_t index);
void mod_elf_symbol(const struct mod_elf *elf, uint32_t index, struct elf64_symbol *out);
const char *mod_elf_symbol_name(const struct mod_elf *elf, uint32_t index);

/* Index of the section called name, or 0 when there is none (e.g. the
 * `.wisp.manifest` section of the next issue). */
uint32_t mod_elf_find_section(const struct mod_elf *elf, const char *name);

/* Index of the global or weak symbol called name that the object defines,
 * or 0 when it has none (exports, the init and exit functions). */
uint32_t mod_elf_find_export(const struct mod_elf *elf, const char *name);

/* The names a Wisp module lists in its `.wisp.exports` section (NUL-
 * terminated, one after another), one at a time: start with *offset = 0;
 * false at the end, or at a name that is not terminated (which
 * mod_elf_exports_valid() refuses). No section: no names. */
bool mod_elf_next_export(const struct mod_elf *elf, uint64_t *offset, const char **name);

/* MOD_OK when every name of `.wisp.exports` is terminated (or there is no
 * such section), with their number in *count; else MOD_E_ELF_STRING. */
enum mod_status mod_elf_exports_valid(const struct mod_elf *elf, uint32_t *count,
                                      struct mod_error *err);

/* The assembler leaves this symbol undefined in any object that uses
 * @GOTPCREL; the loader defines it as its own GOT, it is never an import. */
#define MOD_ELF_GOT_SYMBOL "_GLOBAL_OFFSET_TABLE_"

/* Is symbol index an import (undefined, global or weak, not index 0, not
 * MOD_ELF_GOT_SYMBOL)? */
int mod_elf_symbol_is_import(const struct mod_elf *elf, uint32_t index);
