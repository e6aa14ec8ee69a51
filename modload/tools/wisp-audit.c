/* wisp-audit — audit module manifests and code on the host.
 *
 *   wisp-audit [--core CORE.wisp] [--quiet] IMAGE | [NAME=]MODULE.mod ...
 *
 * For an image, every module section is audited (named by its section);
 * module objects are named NAME, or by their manifest. For each module it
 * prints the contracts as a table and checks the code against the manifest
 * (modload/audit.c: exports, imports, sleep paths, lock classes); then it
 * checks the whole set (imports satisfied with compatible contracts, lock
 * order acyclic, user-callable exports reentrant), with the core's manifest
 * as the provider of core functions: the one the image's core carries (the
 * bytes the kernel itself checks imports against), or --core FILE. Prints
 * one line per finding,
 * "wisp-audit: KIND: MESSAGE", and a summary. Exit status: 0 no findings,
 * 1 findings, 2 usage or input error.
 */
#include "modload/contract/audit.h"
#include "modload/format/image.h"
#include "modload/format/le.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODULES 64

struct audited {
    char name[MOD_MANIFEST_MODULE_MAX + 1];
    struct mod_elf elf;
    struct mod_manifest manifest;
    bool parsed;
};

static struct audited modules[MAX_MODULES];
static size_t module_count;
/* The core manifest the image carries (core_manifest.asm), if any. */
static const uint8_t *image_core_text;
static uint64_t image_core_size;
static size_t finding_count;
static bool quiet;

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "wisp-audit: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    uint8_t *data = NULL;
    size_t used = 0, capacity = 0, n;
    do {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            uint8_t *bigger = realloc(data, capacity);
            if (!bigger) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = bigger;
        }
        n = fread(data + used, 1, capacity - used, f);
        used += n;
    } while (n > 0);
    fclose(f);
    *size = used;
    return data;
}

static void report(void *context, const struct mod_audit_finding *f)
{
    (void)context;
    finding_count++;
    printf("wisp-audit: %s: %s\n", mod_audit_kind_name(f->kind), f->message);
}

static int add_object(const char *name, const void *data, size_t size, const char *where)
{
    if (module_count == MAX_MODULES) {
        fprintf(stderr, "wisp-audit: more than %d modules\n", MAX_MODULES);
        return 2;
    }
    struct audited *a = &modules[module_count];
    struct mod_error err;
    if (mod_elf_parse(&a->elf, data, size, &err) != MOD_OK) {
        fprintf(stderr, "wisp-audit: %s: %s\n", where, err.message);
        return 2;
    }
    snprintf(a->name, sizeof(a->name), "%s", name);
    module_count++;
    return 0;
}

/* The file bytes of the core ELF's symbol name (an ELF64 executable with
 * its symbol table: the image's core is stripped of debug information
 * only), size bytes of it, or NULL. Every offset is checked. */
static const uint8_t *core_symbol(const uint8_t *elf, uint64_t size, const char *name,
                                  uint64_t want)
{
    if (size < 64 || memcmp(elf, "\177ELF\2\1", 6) != 0)
        return NULL;
    uint64_t shoff = le_read64(elf + 0x28);
    uint16_t shentsize = le_read16(elf + 0x3a), shnum = le_read16(elf + 0x3c);
    if (shentsize != 64 || !mod_range_ok(shoff, (uint64_t)shnum * 64, size))
        return NULL;
    const uint8_t *sh = elf + shoff;
    for (uint16_t i = 0; i < shnum; i++) {
        const uint8_t *symtab = sh + (uint64_t)i * 64;
        uint32_t link = le_read32(symtab + 0x28);
        if (le_read32(symtab + 4) != 2 /* SHT_SYMTAB */ || link >= shnum)
            continue;
        const uint8_t *strtab = sh + (uint64_t)link * 64;
        uint64_t sym_off = le_read64(symtab + 0x18), sym_size = le_read64(symtab + 0x20);
        uint64_t str_off = le_read64(strtab + 0x18), str_size = le_read64(strtab + 0x20);
        if (!mod_range_ok(sym_off, sym_size, size) || !mod_range_ok(str_off, str_size, size))
            return NULL;
        for (uint64_t k = 0; k + 24 <= sym_size; k += 24) {
            const uint8_t *sym = elf + sym_off + k;
            uint32_t name_off = le_read32(sym);
            uint16_t shndx = le_read16(sym + 6);
            if (name_off >= str_size || shndx == 0 || shndx >= shnum ||
                strncmp((const char *)elf + str_off + name_off, name, str_size - name_off) != 0)
                continue;
            const uint8_t *in = sh + (uint64_t)shndx * 64;
            uint64_t value = le_read64(sym + 8), addr = le_read64(in + 0x10);
            uint64_t off = le_read64(in + 0x18), len = le_read64(in + 0x20);
            if (value < addr || !mod_range_ok(value - addr, want, len) ||
                !mod_range_ok(off + (value - addr), want, size))
                return NULL;
            return elf + off + (value - addr);
        }
    }
    return NULL;
}

static void find_core_manifest(const uint8_t *core, uint64_t size)
{
    const uint8_t *length = core_symbol(core, size, "core_manifest_size", 8);
    if (!length)
        return;
    uint64_t text_size = le_read64(length);
    const uint8_t *text = core_symbol(core, size, "core_manifest_text", text_size);
    if (text) {
        image_core_text = text;
        image_core_size = text_size;
    }
}

static int add_image(const uint8_t *data, size_t size, const char *path)
{
    struct mod_image image;
    struct mod_error err;
    if (mod_image_open(&image, data, size, &err) != MOD_OK)
        return -1;
    for (uint32_t i = 0; i < image.section_count; i++) {
        struct mod_image_section s;
        mod_image_section(&image, i, &s);
        if (s.type == MOD_SECTION_CORE)
            find_core_manifest(s.content, s.size);
        if (s.type != MOD_SECTION_MODULE)
            continue;
        char where[512];
        snprintf(where, sizeof(where), "%s: section %s", path, s.name);
        int rc = add_object(s.name, s.content, s.size, where);
        if (rc)
            return rc;
    }
    return 0;
}

/* NAME=FILE, or FILE named by its manifest (the module must parse first). */
static int add_argument(char *arg)
{
    char *eq = strchr(arg, '=');
    const char *path = eq ? eq + 1 : arg;
    size_t size;
    uint8_t *data = read_file(path, &size); /* kept until exit: the ELF points into it */
    if (!data)
        return 2;
    int rc = add_image(data, size, path);
    if (rc >= 0)
        return rc;
    if (eq) {
        *eq = '\0';
        return add_object(arg, data, size, path);
    }
    struct mod_elf elf;
    struct mod_error err;
    static struct mod_manifest peek;
    static char base[MOD_MANIFEST_MODULE_MAX + 1];
    const char *slash = strrchr(path, '/');
    snprintf(base, sizeof(base), "%s", slash ? slash + 1 : path);
    if (strlen(base) > 4 && strcmp(base + strlen(base) - 4, ".mod") == 0)
        base[strlen(base) - 4] = '\0';
    const char *name = base;
    if (mod_elf_parse(&elf, data, size, &err) == MOD_OK) {
        uint32_t idx = mod_elf_find_section(&elf, ".wisp.manifest");
        struct elf64_section sh;
        if (idx) {
            mod_elf_section(&elf, idx, &sh);
            if (mod_manifest_parse(&peek, mod_elf_section_data(&elf, idx), sh.size, path, NULL) ==
                MOD_MANIFEST_OK)
                name = peek.name;
        }
    }
    return add_object(name, data, size, path);
}

static int load_core(const char *path, struct mod_manifest *core)
{
    size_t size;
    uint8_t *text = read_file(path, &size);
    struct mod_manifest_error err;
    if (!text)
        return 2;
    enum mod_manifest_status st = mod_manifest_parse(core, text, size, path, &err);
    free(text);
    if (st != MOD_MANIFEST_OK) {
        fprintf(stderr, "wisp-audit: %s\n", err.message);
        return 2;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: wisp-audit [--core CORE.wisp] [--quiet] IMAGE | [NAME=]MODULE.mod ...\n");
}

int main(int argc, char **argv)
{
    static struct mod_manifest core;
    static struct mod_audit_scratch scratch;
    static struct mod_lock_order order;
    static char table[64 * 1024];
    const char *core_path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--core") == 0 && i + 1 < argc)
            core_path = argv[++i];
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else {
            usage();
            return 2;
        }
    }
    if (i == argc) {
        usage();
        return 2;
    }
    for (; i < argc; i++) {
        int rc = add_argument(argv[i]);
        if (rc)
            return rc;
    }
    if (core_path && load_core(core_path, &core))
        return 2;
    bool have_core = core_path != NULL;
    if (!have_core && image_core_text) {
        struct mod_manifest_error err;
        if (mod_manifest_parse(&core, image_core_text, image_core_size, "the image's core", &err) !=
            MOD_MANIFEST_OK) {
            fprintf(stderr, "wisp-audit: %s\n", err.message);
            return 2;
        }
        have_core = true;
    }

    const struct mod_manifest *set[MAX_MODULES + 1];
    size_t set_count = 0;
    if (have_core)
        set[set_count++] = &core;
    /* First every manifest (the providers), then each module's code. */
    for (size_t m = 0; m < module_count; m++) {
        struct audited *a = &modules[m];
        uint32_t idx = mod_elf_find_section(&a->elf, ".wisp.manifest");
        struct elf64_section sh;
        if (idx) {
            mod_elf_section(&a->elf, idx, &sh);
            a->parsed = mod_manifest_parse(&a->manifest, mod_elf_section_data(&a->elf, idx),
                                           sh.size, a->name, NULL) == MOD_MANIFEST_OK;
        }
        if (a->parsed)
            set[set_count++] = &a->manifest;
    }
    for (size_t m = 0; m < module_count; m++) {
        struct audited *a = &modules[m];
        static struct mod_manifest parsed;
        size_t before = finding_count;
        mod_audit_object(a->name, &a->elf, &parsed, set, set_count, &scratch, report, NULL);
        if (a->parsed && !quiet) {
            mod_audit_table(&a->manifest, table, sizeof(table));
            fputs(table, stdout);
        }
        if (!quiet && finding_count == before)
            printf("  (code matches the manifest)\n");
        if (!quiet)
            putchar('\n');
    }
    mod_audit_set(set, set_count, &order, report, NULL);
    printf("wisp-audit: %zu modules%s, %zu finding%s\n", module_count,
           have_core ? " and the core" : "", finding_count, finding_count == 1 ? "" : "s");
    return finding_count ? 1 : 0;
}
