/* test_exec.c — the executable loader (modload/exec.c): the SDK-built test
 * programs (tests/programs/, built by the test build) parse, load and
 * relocate at a base, their undefined names go to the resolver; every
 * malformed header, segment, dynamic entry and relocation is refused with
 * its own code and a message naming the program and where. Malformed
 * programs are copies of a real one with one field patched. */
#include "htest.h"
#include <stdio.h>
#include <stdlib.h>
#include "modtest.h"
#include "modload/format/exec.h"

#ifndef EXEC_TEST_PROGRAMS
#define EXEC_TEST_PROGRAMS "build/programs"
#endif

#define BASE 0x400000ull

static uint8_t *load_program(const char *name, size_t *size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.elf", EXEC_TEST_PROGRAMS, name);
    return modtest_read_file(path, size);
}

/* A loaded image in one malloc'd buffer, and a resolver that knows
 * counter_add and counter_version (unless refuse names one). */
struct loaded {
    uint8_t *file;
    size_t size;
    struct mod_exec exec;
    uint8_t *image;
    const char *refuse;
    int resolved;
};

static uint8_t *image_page(void *context, uint64_t index)
{
    struct loaded *l = context;
    return l->image + index * MOD_EXEC_PAGE_SIZE;
}

/* Every name resolves (counter's two to known addresses) unless refused. */
static uint64_t ghost_address(const char *name)
{
    return strcmp(name, "counter_add") == 0       ? 0x7f0000001000ull
           : strcmp(name, "counter_version") == 0 ? 0x7f0000002000ull
                                                  : 0x7f0000010000ull + strlen(name) * 16;
}

static int resolve(void *context, const char *name, uint64_t *address, const char **why)
{
    struct loaded *l = context;
    *address = ghost_address(name);
    if (!*address || (l->refuse && strcmp(name, l->refuse) == 0)) {
        *why = "not a ghost function";
        return -1;
    }
    l->resolved++;
    return 0;
}

static enum mod_status load(struct loaded *l, const char *name, struct mod_error *err)
{
    memset(err, 0, sizeof(*err));
    enum mod_status st = mod_exec_parse(&l->exec, name, l->file, l->size, err);
    if (st)
        return st;
    l->image = calloc(1, l->exec.image_size);
    struct mod_exec_target target = { image_page, resolve, l, BASE };
    mod_exec_copy(&l->exec, &target);
    return mod_exec_relocate(&l->exec, &target, err);
}

static void unload(struct loaded *l)
{
    free(l->image);
    free(l->file);
}

static uint64_t image_u64(const struct loaded *l, uint64_t offset)
{
    return modtest_get(l->image + offset, 8);
}

HTEST(exec_parses_every_test_program)
{
    const char *names[] = { "exit42",        "args",       "hello_parts", "faults",
                            "bad_arguments", "sse",        "owns_data",   "reads_other",
                            "parent",        "null_calls", "imports" };
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct loaded l = { 0 };
        struct mod_error err;
        l.file = load_program(names[i], &l.size);
        ASSERT_NOT_NULL(l.file);
        EXPECT_EQ(load(&l, names[i], &err), MOD_OK);
        if (err.code)
            HTEST_FAIL("%s: %s", names[i], err.message);
        EXPECT_GT(l.exec.segment_count, 1u);
        EXPECT_NE(l.exec.relro_end, 0u); /* -z relro */
        unload(&l);
    }
}

HTEST(exec_relocates_at_the_base_and_binds_undefined_names)
{
    struct loaded l = { 0 };
    struct mod_error err;
    l.file = load_program("imports", &l.size);
    ASSERT_NOT_NULL(l.file);
    ASSERT_EQ(load(&l, "imports", &err), MOD_OK);
    EXPECT_TRUE(l.exec.needs_ghost_library);
    EXPECT_GE(l.resolved, 2);
    /* Every relocated field holds what its type says. */
    const struct mod_exec_rela_table *tables[2] = { &l.exec.rela, &l.exec.jmprel };
    int relative = 0, bound = 0;
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < tables[t]->count; i++) {
            const uint8_t *p = l.file + tables[t]->offset + i * ELF_RELA_SIZE;
            uint64_t offset = modtest_get(p, 8), info = modtest_get(p + 8, 8);
            int64_t addend = (int64_t)modtest_get(p + 16, 8);
            if (ELF_RELA_TYPE(info) == R_X86_64_RELATIVE) {
                EXPECT_EQ(image_u64(&l, offset), BASE + (uint64_t)addend);
                relative++;
            } else {
                uint64_t v = image_u64(&l, offset);
                EXPECT_GE(v, 0x7f0000001000ull);
                bound++;
            }
        }
    }
    EXPECT_GE(relative, 2);
    EXPECT_GE(bound, 2);
    /* The code is copied where its segment says. */
    const struct mod_exec_segment *text = NULL;
    for (uint32_t i = 0; i < l.exec.segment_count; i++)
        if (l.exec.segments[i].flags & PF_X)
            text = &l.exec.segments[i];
    ASSERT_NOT_NULL(text);
    EXPECT_MEM_EQ(l.image + text->vaddr, l.file + text->offset, text->filesz);
    unload(&l);
}

HTEST(exec_unresolved_name_names_symbol_and_program)
{
    struct loaded l = { .refuse = "counter_add" };
    struct mod_error err;
    l.file = load_program("imports", &l.size);
    ASSERT_NOT_NULL(l.file);
    EXPECT_EQ(load(&l, "imports", &err), MOD_E_UNRESOLVED);
    EXPECT_STREQ(err.message,
                 "program imports: undefined symbol 'counter_add': not a ghost function");
    unload(&l);
}

static int count_ghost_name(void *context, const char *name)
{
    *(int *)context += strncmp(name, "counter_", 8) == 0;
    return 0;
}

HTEST(exec_lists_the_undefined_names)
{
    struct loaded l = { 0 };
    struct mod_error err;
    l.file = load_program("imports", &l.size);
    ASSERT_NOT_NULL(l.file);
    ASSERT_EQ(mod_exec_parse(&l.exec, "imports", l.file, l.size, &err), MOD_OK);
    int count = 0;
    EXPECT_EQ(mod_exec_for_each_import(&l.exec, count_ghost_name, &count), 0);
    EXPECT_GE(count, 2);
    unload(&l);
}

/* ---- malformed copies ---- */

static uint64_t phdr_offset(const uint8_t *file, uint32_t type, int nth)
{
    uint64_t phoff = modtest_get(file + 32, 8);
    uint32_t phnum = (uint32_t)modtest_get(file + 56, 2);
    for (uint32_t i = 0; i < phnum; i++) {
        uint64_t at = phoff + (uint64_t)i * ELF_PHDR_SIZE;
        if (modtest_get(file + at, 4) == type && nth-- == 0)
            return at;
    }
    return 0;
}

/* Offset of the dynamic entry with tag, or 0. */
static uint64_t dynamic_entry(const uint8_t *file, uint64_t tag)
{
    uint64_t ph = phdr_offset(file, PT_DYNAMIC, 0);
    uint64_t off = modtest_get(file + ph + 8, 8), size = modtest_get(file + ph + 32, 8);
    for (uint64_t at = off; at + 16 <= off + size; at += 16)
        if (modtest_get(file + at, 8) == tag)
            return at;
    return 0;
}

/* Parses a copy of program with value written at offset (bytes wide);
 * expects code and a message containing text. */
static void expect_refused(struct htest_ctx *ctx, const char *program, uint64_t offset,
                           uint64_t value, int bytes, enum mod_status code, const char *text)
{
    struct loaded l = { 0 };
    struct mod_error err;
    l.file = load_program(program, &l.size);
    if (!l.file || offset == 0) {
        HTEST_FAIL("%s: no file or field to patch", program);
        free(l.file);
        return;
    }
    modtest_put(l.file + offset, value, bytes);
    enum mod_status st = load(&l, program, &err);
    EXPECT_EQ(st, code);
    if (!strstr(err.message, text) || !strstr(err.message, program))
        HTEST_FAIL("message '%s' lacks '%s'", err.message, text);
    unload(&l);
}

static uint64_t field_of(const char *program, uint64_t (*find)(const uint8_t *), uint64_t plus)
{
    size_t size;
    uint8_t *file = load_program(program, &size);
    uint64_t at = file ? find(file) : 0;
    free(file);
    return at ? at + plus : 0;
}

static uint64_t rw_segment(const uint8_t *f)
{
    for (int i = 0; i < 8; i++) {
        uint64_t at = phdr_offset(f, PT_LOAD, i);
        if (at && (modtest_get(f + at + 4, 4) & PF_W))
            return at;
    }
    return 0;
}
static uint64_t x_segment(const uint8_t *f)
{
    for (int i = 0; i < 8; i++) {
        uint64_t at = phdr_offset(f, PT_LOAD, i);
        if (at && (modtest_get(f + at + 4, 4) & PF_X))
            return at;
    }
    return 0;
}
static uint64_t stack_phdr(const uint8_t *f) { return phdr_offset(f, PT_GNU_STACK, 0); }
static uint64_t relro_phdr(const uint8_t *f) { return phdr_offset(f, PT_GNU_RELRO, 0); }
static uint64_t dynamic_phdr(const uint8_t *f) { return phdr_offset(f, PT_DYNAMIC, 0); }
static uint64_t first_jmprel(const uint8_t *f)
{
    uint64_t e = dynamic_entry(f, 23); /* DT_JMPREL: the vaddr is the file offset here */
    return e ? modtest_get(f + e + 8, 8) : 0;
}
static uint64_t debug_tag(const uint8_t *f) { return dynamic_entry(f, 21); }
static uint64_t needed_name(const uint8_t *f)
{
    uint64_t strtab = modtest_get(f + dynamic_entry(f, 5) + 8, 8);
    return strtab + modtest_get(f + dynamic_entry(f, 1) + 8, 8);
}

HTEST(exec_refuses_bad_headers)
{
    expect_refused(ctx, "exit42", 1, 'X', 1, MOD_E_ELF_MAGIC, "not an ELF file");
    expect_refused(ctx, "exit42", 16, 2, 2, MOD_E_EXEC_TYPE, "ELF type 2");
    expect_refused(ctx, "exit42", 18, 3, 2, MOD_E_ELF_MACHINE, "machine 3");
    expect_refused(ctx, "exit42", 56, 0, 2, MOD_E_ELF_HEADER, "0 program headers");
    expect_refused(ctx, "exit42", 32, 1ull << 40, 8, MOD_E_ELF_HEADER, "outside the file");
    expect_refused(ctx, "exit42", 24, 0, 8, MOD_E_EXEC_SEGMENT, "entry point 0x0");
}

HTEST(exec_refuses_bad_segments)
{
    uint64_t rw = field_of("hello_parts", rw_segment, 0), x = field_of("hello_parts", x_segment, 0);
    expect_refused(ctx, "hello_parts", rw + 4, PF_R | PF_W | PF_X, 4, MOD_E_EXEC_SEGMENT,
                   "writable and executable");
    expect_refused(ctx, "hello_parts", x + 32, 0x100000, 8, MOD_E_EXEC_SEGMENT,
                   "file size 0x100000");
    expect_refused(ctx, "hello_parts", rw + 8, 1ull << 40, 8, MOD_E_EXEC_SEGMENT,
                   "outside the file");
    expect_refused(ctx, "hello_parts", rw + 16, 0x3001, 8, MOD_E_EXEC_SEGMENT,
                   "differ modulo the page size");
    size_t size;
    uint8_t *file = load_program("hello_parts", &size);
    ASSERT_NOT_NULL(file);
    uint64_t rw_offset = modtest_get(file + rw + 8, 8); /* congruent, in the page before */
    free(file);
    expect_refused(ctx, "hello_parts", rw + 16, rw_offset, 8, MOD_E_EXEC_SEGMENT, "overlaps");
    expect_refused(ctx, "hello_parts", rw + 40, 1ull << 40, 8, MOD_E_EXEC_SEGMENT, "MiB limit");
    expect_refused(ctx, "hello_parts", field_of("hello_parts", stack_phdr, 4), PF_R | PF_W | PF_X,
                   4, MOD_E_EXEC_SEGMENT, "executable stack");
    expect_refused(ctx, "hello_parts", field_of("hello_parts", stack_phdr, 0), PT_INTERP, 4,
                   MOD_E_EXEC_SEGMENT, "PT_INTERP");
    expect_refused(ctx, "hello_parts", field_of("hello_parts", stack_phdr, 0), PT_TLS, 4,
                   MOD_E_EXEC_SEGMENT, "type 0x7 not supported");
    expect_refused(ctx, "hello_parts", field_of("hello_parts", relro_phdr, 16), 0, 8,
                   MOD_E_EXEC_SEGMENT, "PT_GNU_RELRO");
}

HTEST(exec_refuses_bad_dynamic_sections_and_relocations)
{
    expect_refused(ctx, "imports", field_of("imports", dynamic_phdr, 32), 16, 8, MOD_E_EXEC_DYNAMIC,
                   "no DT_NULL");
    expect_refused(ctx, "imports", field_of("imports", dynamic_phdr, 16), 0x800000, 8,
                   MOD_E_EXEC_DYNAMIC, "PT_DYNAMIC");
    expect_refused(ctx, "imports", field_of("imports", debug_tag, 0), 22, 8, MOD_E_EXEC_DYNAMIC,
                   "tag 22 not supported");
    expect_refused(ctx, "imports", field_of("imports", needed_name, 0), 'x', 1, MOD_E_EXEC_DYNAMIC,
                   "only libghost.so");
    uint64_t rela = field_of("imports", first_jmprel, 0);
    expect_refused(ctx, "imports", rela + 8, (2ull << 32) | 2, 8, MOD_E_RELOC_TYPE,
                   "relocation 0 (offset 0x");
    expect_refused(ctx, "imports", rela + 8, (2ull << 32) | 2, 8, MOD_E_RELOC_TYPE,
                   "type 2 not supported");
    expect_refused(ctx, "imports", rela, 0x1000, 8, MOD_E_RELOC_BOUNDS, "not inside a writable");
    expect_refused(ctx, "imports", rela + 8, (5000ull << 32) | R_X86_64_JUMP_SLOT, 8,
                   MOD_E_RELOC_SYMBOL, "symbol 5000 outside the symbol table");
}

/* Every truncation of a program is refused or parses, never reads out of
 * bounds (AddressSanitizer watches), and one that cuts into a segment's
 * file bytes is refused. */
HTEST(exec_truncated_programs_never_read_out_of_bounds)
{
    size_t size;
    uint8_t *file = load_program("imports", &size);
    ASSERT_NOT_NULL(file);
    struct mod_exec exec;
    ASSERT_EQ(mod_exec_parse(&exec, "imports", file, size, NULL), MOD_OK);
    uint64_t needed = 0;
    for (uint32_t i = 0; i < exec.segment_count; i++)
        if (exec.segments[i].offset + exec.segments[i].filesz > needed)
            needed = exec.segments[i].offset + exec.segments[i].filesz;
    for (size_t n = 0; n < size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, file, n);
        enum mod_status st = mod_exec_parse(&exec, "imports", copy, n, NULL);
        if (n < needed)
            EXPECT_NE(st, MOD_OK);
        free(copy);
    }
    free(file);
}
