/* exec.h — reader, loader and relocator for ELF64 x86-64 position-
 * independent executables (ET_DYN), the form a Wisp program takes: built
 * by the SDK (sdk/) with `ld -pie --no-dynamic-linker -z now -z relro`.
 *
 * mod_exec_parse() validates everything the loader later relies on before
 * it returns MOD_OK:
 *   - the header (ELF64 LSB, ET_DYN, x86-64) and the program headers;
 *   - every PT_LOAD: file range inside the file, filesz <= memsz, vaddr and
 *     offset congruent modulo the page size, page-rounded ranges in
 *     increasing order and not overlapping, never writable and executable,
 *     the whole image below MOD_EXEC_MAX_SIZE;
 *   - PT_GNU_STACK not executable, PT_GNU_RELRO inside one writable
 *     PT_LOAD, no PT_INTERP or PT_TLS;
 *   - the entry point inside the file bytes of an executable PT_LOAD;
 *   - PT_DYNAMIC (inside the file bytes of a PT_LOAD) and its tables:
 *     DT_RELA/DT_RELASZ/DT_RELAENT, DT_JMPREL/DT_PLTRELSZ/DT_PLTREL,
 *     DT_SYMTAB/DT_STRTAB/DT_STRSZ inside the file bytes of a PT_LOAD;
 *     DT_NEEDED only MOD_EXEC_GHOST_LIBRARY (at most once); no DT_REL,
 *     DT_TEXTREL or DT_RELR;
 *   - every relocation: a supported type, its 8-byte field inside a
 *     writable PT_LOAD, its symbol inside the symbol table with a name
 *     inside the string table.
 *
 * Then the caller allocates image_size bytes of pages (addressed through
 * target->page), mod_exec_copy() copies the file bytes and zeroes the rest,
 * and mod_exec_relocate() applies R_X86_64_RELATIVE, _64, _GLOB_DAT and
 * _JUMP_SLOT for the load base, asking target->resolve for each undefined
 * symbol. The caller then maps the segments (segment flags) and makes the
 * RELRO pages read-only.
 *
 * Errors name the program, then what and where (segment, relocation
 * index, offset, symbol). Pure code: no allocation, no locks, no global
 * state; the file buffer must stay valid and unchanged while in use.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "modload/format/error.h"
#include "modload/format/elf.h"

#define MOD_EXEC_PAGE_SIZE    4096ull
#define MOD_EXEC_MAX_SIZE     (16ull << 20) /* image: 16 MiB, 4096 pages */
#define MOD_EXEC_MAX_SEGMENTS 8             /* PT_LOAD entries */
#define MOD_EXEC_MAX_PHDRS    32
/* The only shared object a program may name: the SDK's stub of the ghost
 * functions, whose names the kernel binds (MODULES.md, "Ghost bindings"). */
#define MOD_EXEC_GHOST_LIBRARY "libghost.so"

#define PT_NULL         0
#define PT_LOAD         1
#define PT_DYNAMIC      2
#define PT_INTERP       3
#define PT_NOTE         4
#define PT_SHLIB        5
#define PT_PHDR         6
#define PT_TLS          7
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK    0x6474e551u
#define PT_GNU_RELRO    0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

#define ELF_TYPE_DYN       3
#define ELF_PHDR_SIZE      56
#define ELF_DYN_SIZE       16
#define R_X86_64_GLOB_DAT  6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE  8

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* One PT_LOAD, offsets from the load base. */
struct mod_exec_segment {
    uint64_t vaddr, memsz;   /* memory range [vaddr, vaddr + memsz) */
    uint64_t offset, filesz; /* its first filesz bytes come from the file */
    uint32_t flags;          /* PF_R | PF_W | PF_X, never W and X */
};

/* A relocation table, validated: count entries at file offset. */
struct mod_exec_rela_table {
    uint64_t offset;
    uint64_t count;
};

struct mod_exec {
    const uint8_t *data;
    uint64_t size;
    char name[32]; /* the program, for messages */
    uint64_t entry;
    uint64_t image_size; /* page-rounded end of the highest segment */
    uint32_t segment_count;
    struct mod_exec_segment segments[MOD_EXEC_MAX_SEGMENTS];
    uint64_t relro_start, relro_end; /* 0, 0: no PT_GNU_RELRO */
    struct mod_exec_rela_table rela, jmprel;
    uint64_t symtab_offset; /* file offset of DT_SYMTAB */
    uint64_t symtab_limit;  /* file offset where its segment's file bytes end */
    uint64_t strtab_offset, strtab_size;
    bool needs_ghost_library; /* DT_NEEDED MOD_EXEC_GHOST_LIBRARY */
};

/* Where mod_exec_copy() and mod_exec_relocate() write: page(context, i)
 * returns the MOD_EXEC_PAGE_SIZE writable bytes of image page i (i <
 * image_size / page size), which will be mapped at base + i * page size.
 * resolve finds an undefined symbol's address by name: 0, or non-zero
 * when it cannot (then *why, if it set it, says why). */
struct mod_exec_target {
    uint8_t *(*page)(void *context, uint64_t index);
    int (*resolve)(void *context, const char *name, uint64_t *address, const char **why);
    void *context;
    uint64_t base; /* page aligned */
};

/* Validates the executable in data[0..size) and fills exec. name (the
 * program's, truncated to 31 characters) prefixes every message. */
enum mod_status mod_exec_parse(struct mod_exec *exec, const char *name, const void *data,
                               size_t size, struct mod_error *err);

/* Zeroes every page a segment covers and copies the segment's file bytes
 * to its place (so bss is zero). Pages between segments are never passed
 * to target->page: the caller need not allocate them. After
 * mod_exec_parse() succeeded. */
void mod_exec_copy(const struct mod_exec *exec, const struct mod_exec_target *target);

/* Applies every relocation (DT_RELA, then DT_JMPREL) for target->base.
 * Errors: MOD_E_UNRESOLVED naming the symbol and the program, and (for a
 * symbol defined outside the image) MOD_E_RELOC_SYMBOL. */
enum mod_status mod_exec_relocate(const struct mod_exec *exec, const struct mod_exec_target *target,
                                  struct mod_error *err);

/* Calls fn for the name of every undefined symbol the relocations use (a
 * name may come more than once); stops at the first non-zero result and
 * returns it. After mod_exec_parse() succeeded. */
int mod_exec_for_each_import(const struct mod_exec *exec,
                             int (*fn)(void *context, const char *name), void *context);

/* Name of a supported relocation type, or NULL. */
const char *mod_exec_reloc_name(uint32_t type);
