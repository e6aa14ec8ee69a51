/* test_elf.c — the ELF64 relocatable reader (modload/elf.c): a real gcc
 * object parses; every malformed header, section, string, symbol and
 * relocation-section link is refused with its own code and a message that
 * names where. Malformed objects are copies of tests/host/data/reloc_all.o
 * with one field patched. */
#include "htest.h"
#include <stdio.h>
#include "modtest.h"
#include "modload/format/elf.h"

struct patched {
    uint8_t *data;
    size_t size;
    struct mod_elf elf; /* the unpatched object, to find indexes */
};

static int patched_load(struct patched *p)
{
    p->data = modtest_load("reloc_all.o", &p->size);
    return p->data && mod_elf_parse(&p->elf, p->data, p->size, NULL) == MOD_OK;
}

static enum mod_status reparse(struct patched *p, struct mod_error *err)
{
    struct mod_elf elf;
    memset(err, 0, sizeof(*err));
    return mod_elf_parse(&elf, p->data, p->size, err);
}

static void patch_section(struct patched *p, const char *name, size_t field, uint64_t value,
                          int bytes)
{
    uint32_t index = mod_elf_find_section(&p->elf, name);
    modtest_put(p->data + modtest_section_field(p->data, index, field), value, bytes);
}

static size_t symbol_field(struct patched *p, const char *name, size_t field)
{
    struct elf64_section symtab;
    mod_elf_section(&p->elf, p->elf.symtab_index, &symtab);
    uint32_t index = mod_elf_find_export(&p->elf, name);
    return symtab.offset + (size_t)index * ELF_SYMBOL_SIZE + field;
}

#define EXPECT_REFUSED(p, status, text) \
    do { \
        struct mod_error err_; \
        EXPECT_EQ(reparse(p, &err_), status); \
        EXPECT_EQ(err_.code, status); \
        if (!strstr(err_.message, text)) \
            HTEST_FAIL("message '%s' lacks '%s'", err_.message, text); \
    } while (0)

HTEST(elf_parses_gcc_module_object)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    EXPECT_GT(p.elf.section_count, 10u);
    EXPECT_GT(p.elf.symbol_count, 10u);
    uint32_t text = mod_elf_find_section(&p.elf, ".text.call_import");
    ASSERT_NE(text, 0u);
    EXPECT_STREQ(mod_elf_section_name(&p.elf, text), ".text.call_import");
    EXPECT_NOT_NULL(mod_elf_section_data(&p.elf, text));
    EXPECT_NULL(mod_elf_section_data(&p.elf, mod_elf_find_section(&p.elf, ".bss.buffer")));
    uint32_t export = mod_elf_find_export(&p.elf, "call_import");
    ASSERT_NE(export, 0u);
    EXPECT_STREQ(mod_elf_symbol_name(&p.elf, export), "call_import");
    EXPECT_FALSE(mod_elf_symbol_is_import(&p.elf, export));
    EXPECT_EQ(mod_elf_find_export(&p.elf, "imported_function"), 0u);
    EXPECT_EQ(mod_elf_find_section(&p.elf, ".wisp.manifest"), 0u);
    int imports = 0;
    for (uint32_t i = 0; i < p.elf.symbol_count; i++)
        imports += mod_elf_symbol_is_import(&p.elf, i);
    EXPECT_EQ(imports, 4); /* function, value, small_import, weak */
    free(p.data);
}

HTEST(elf_refuses_every_truncation)
{
    struct patched p;
    struct mod_elf elf;
    ASSERT_TRUE(patched_load(&p));
    for (size_t n = 0; n < p.size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, p.data, n);
        enum mod_status st = mod_elf_parse(&elf, copy, n, NULL);
        if (st == MOD_OK)
            HTEST_FAIL("object truncated to %zu bytes was accepted", n);
        if (n < ELF_HEADER_SIZE)
            EXPECT_EQ(st, MOD_E_ELF_TRUNCATED);
        free(copy);
    }
    free(p.data);
}

HTEST(elf_refuses_bad_identification)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    p.data[1] = 'X';
    EXPECT_REFUSED(&p, MOD_E_ELF_MAGIC, "magic");
    p.data[1] = 'E';
    p.data[4] = 1; /* ELFCLASS32 */
    EXPECT_REFUSED(&p, MOD_E_ELF_CLASS, "class 1");
    p.data[4] = 2;
    p.data[5] = 2; /* big-endian */
    EXPECT_REFUSED(&p, MOD_E_ELF_CLASS, "data 2");
    p.data[5] = 1;
    modtest_put(p.data + 16, 2, 2); /* ET_EXEC */
    EXPECT_REFUSED(&p, MOD_E_ELF_TYPE, "ET_REL");
    modtest_put(p.data + 16, 1, 2);
    modtest_put(p.data + 18, 3, 2); /* EM_386 */
    EXPECT_REFUSED(&p, MOD_E_ELF_MACHINE, "machine 3");
    free(p.data);
}

HTEST(elf_refuses_bad_header_fields)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    uint8_t saved[64];
    memcpy(saved, p.data, 64);
    modtest_put(p.data + 58, 40, 2); /* shentsize */
    EXPECT_REFUSED(&p, MOD_E_ELF_HEADER, "section entry size 40");
    memcpy(p.data, saved, 64);
    modtest_put(p.data + 60, 0, 2); /* shnum */
    EXPECT_REFUSED(&p, MOD_E_ELF_HEADER, "no section headers");
    memcpy(p.data, saved, 64);
    modtest_put(p.data + 40, p.size - 64, 8); /* shoff: table runs off the end */
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION_BOUNDS, "section header table");
    modtest_put(p.data + 40, UINT64_MAX - 63, 8); /* shoff + size wraps */
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION_BOUNDS, "past end of file");
    memcpy(p.data, saved, 64);
    modtest_put(p.data + 62, p.elf.section_count, 2); /* shstrndx */
    EXPECT_REFUSED(&p, MOD_E_ELF_HEADER, "section name table index");
    free(p.data);
}

HTEST(elf_refuses_section_outside_file)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    char where[32];
    snprintf(where, sizeof(where),
             "section %u:", mod_elf_find_section(&p.elf, ".text.call_import"));
    patch_section(&p, ".text.call_import", SH_OFFSET, p.size, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION_BOUNDS, where);
    patch_section(&p, ".text.call_import", SH_OFFSET, UINT64_MAX - 7, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION_BOUNDS, "past end of file");
    free(p.data);
}

HTEST(elf_refuses_bad_section_flags_and_alignment)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    patch_section(&p, ".text.call_import", SH_FLAGS, SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION, "writable and executable");
    patch_section(&p, ".text.call_import", SH_FLAGS, SHF_ALLOC | SHF_EXECINSTR | SHF_TLS, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION, "thread-local");
    patch_section(&p, ".text.call_import", SH_FLAGS, SHF_ALLOC | SHF_EXECINSTR, 8);
    patch_section(&p, ".text.call_import", SH_ALIGN, 24, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION, "not a power of two");
    patch_section(&p, ".text.call_import", SH_ALIGN, 8192, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION, "alignment 8192");
    patch_section(&p, ".text.call_import", SH_ALIGN, 16, 8);
    patch_section(&p, ".text.call_import", SH_TYPE, SHT_SYMTAB_SHNDX + 100, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_SECTION, "allocated section of type");
    free(p.data);
}

HTEST(elf_refuses_unterminated_strings)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    struct elf64_section s;
    mod_elf_section(&p.elf, p.elf.shstrtab_index, &s);
    p.data[s.offset + s.size - 1] = 'x';
    EXPECT_REFUSED(&p, MOD_E_ELF_STRING, "section name table");
    p.data[s.offset + s.size - 1] = 0;
    mod_elf_section(&p.elf, p.elf.strtab_index, &s);
    p.data[s.offset + s.size - 1] = 'x';
    EXPECT_REFUSED(&p, MOD_E_ELF_STRING, "symbol string table");
    p.data[s.offset + s.size - 1] = 0;
    patch_section(&p, ".text.call_import", SH_NAME, 0x7fffffff, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_STRING, "name offset");
    free(p.data);
}

HTEST(elf_refuses_bad_symbol_table)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    patch_section(&p, ".symtab", SH_ENTSIZE, 16, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMTAB, "entry size 16");
    patch_section(&p, ".symtab", SH_ENTSIZE, 24, 8);
    patch_section(&p, ".symtab", SH_LINK, 999, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMTAB, "string table index 999");
    patch_section(&p, ".symtab", SH_LINK, p.elf.strtab_index, 4);
    patch_section(&p, ".comment", SH_TYPE, SHT_SYMTAB, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMTAB, "second symbol table");
    free(p.data);
}

HTEST(elf_refuses_bad_symbols)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    size_t name = symbol_field(&p, "call_import", 0);
    size_t shndx = symbol_field(&p, "call_import", 6);
    size_t value = symbol_field(&p, "call_import", 8);
    modtest_put(p.data + name, 0x7fffffff, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_STRING, "name offset");
    free(p.data);
    ASSERT_TRUE(patched_load(&p));
    modtest_put(p.data + shndx, 900, 2);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMBOL, "'call_import': section index 0x384 out of range");
    modtest_put(p.data + shndx, SHN_COMMON, 2);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMBOL, "common symbol");
    modtest_put(p.data + shndx, SHN_XINDEX, 2);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMBOL, "out of range");
    modtest_put(p.data + shndx, mod_elf_find_section(&p.elf, ".text.call_import"), 2);
    modtest_put(p.data + value, 0x100000, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMBOL, "past the end of section");
    modtest_put(p.data + value, 0, 8);
    p.data[symbol_field(&p, "call_import", 4)] = STB_GLOBAL << 4 | STT_TLS;
    EXPECT_REFUSED(&p, MOD_E_ELF_SYMBOL, "TLS");
    free(p.data);
}

HTEST(elf_refuses_bad_relocation_sections)
{
    struct patched p;
    ASSERT_TRUE(patched_load(&p));
    const char *rela = ".rela.text.call_import";
    patch_section(&p, rela, SH_INFO, 0, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_RELOC_SECTION, "relocates missing section 0");
    patch_section(&p, rela, SH_INFO, 4000, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_RELOC_SECTION,
                   "'.rela.text.call_import': relocates missing section 4000");
    patch_section(&p, rela, SH_INFO, mod_elf_find_section(&p.elf, ".text.call_import"), 4);
    patch_section(&p, rela, SH_LINK, p.elf.strtab_index, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_RELOC_SECTION, "is not the symbol table");
    patch_section(&p, rela, SH_LINK, p.elf.symtab_index, 4);
    patch_section(&p, rela, SH_ENTSIZE, 16, 8);
    EXPECT_REFUSED(&p, MOD_E_ELF_RELOC_SECTION, "entry size 16");
    patch_section(&p, rela, SH_ENTSIZE, 24, 8);
    patch_section(&p, rela, SH_TYPE, SHT_REL, 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_RELOC_SECTION, "SHT_REL");
    patch_section(&p, rela, SH_TYPE, SHT_RELA, 4);
    patch_section(&p, rela, SH_INFO, mod_elf_find_section(&p.elf, ".bss.buffer"), 4);
    EXPECT_REFUSED(&p, MOD_E_ELF_RELOC_SECTION, "NOBITS");
    free(p.data);
}

HTEST(elf_status_names_are_distinct)
{
    for (int i = 0; i < MOD_STATUS_COUNT; i++)
        for (int j = i + 1; j < MOD_STATUS_COUNT; j++)
            EXPECT_STRNE(mod_status_name(i), mod_status_name(j));
    EXPECT_STREQ(mod_status_name(MOD_STATUS_COUNT), "unknown status");
}
