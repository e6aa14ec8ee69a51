/* boot_image.c — the image GRUB loaded: opened and every section's
 * signature checked once at boot (a refused section is kept out of reach
 * with its reason, for lsmod), programs registered, and the modules the
 * boot configuration names loaded. Later loads on demand find their
 * section here (boot_image_module, boot_image_exporting).
 *
 * The entries are written once by module_boot() (the init thread, before
 * anything else loads) and only read afterwards.
 */
#include "modload/loader.h"
#include "modload/format/config.h"
#include "modload/contract/manifest.h"
#include <wisp/boot.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/process.h>
#include <string.h>

#define IMAGE_ENTRIES_MAX 64

static struct mod_image boot_image;
static bool have_image;
static struct module_image_entry image_entries[IMAGE_ENTRIES_MAX];
static unsigned image_entry_count;
/* Each verified module section's object, parsed once at boot (for the
 * export lists of on-demand loads); exports_ok false when it does not
 * parse, which its load will then report. */
static struct mod_elf image_objects[IMAGE_ENTRIES_MAX];
static bool exports_ok[IMAGE_ENTRIES_MAX];

unsigned module_image_entries(const struct module_image_entry **out)
{
    *out = image_entries;
    return image_entry_count;
}

static const struct module_image_entry *image_entry(const char *name)
{
    for (unsigned i = 0; i < image_entry_count; i++)
        if (strcmp(image_entries[i].name, name) == 0)
            return &image_entries[i];
    return NULL;
}

const char *boot_image_exporting(const char *name)
{
    const char *export;
    for (unsigned i = 0; i < image_entry_count; i++)
        for (uint64_t off = 0;
             exports_ok[i] && mod_elf_next_export(&image_objects[i], &off, &export);)
            if (strcmp(export, name) == 0)
                return image_entries[i].name;
    return NULL;
}

/* The contract of export name in the manifest of the image module that
 * exports it, read from the signed section without loading anything (so
 * that a binder can refuse before an on-demand load, ghost_bind). */
enum mod_status module_image_export_contract(const char *name, struct mod_contract *out,
                                             struct mod_error *err)
{
    const char *provider = boot_image_exporting(name);
    struct mod_image_section s;
    struct mod_elf elf;
    if (!provider || mod_image_find(&boot_image, provider, &s) != MOD_OK ||
        mod_elf_parse(&elf, s.content, s.size, NULL) != MOD_OK)
        return mod_fail(err, MOD_E_UNRESOLVED, "no module of the image exports '%s'", name);
    uint32_t idx = mod_elf_find_section(&elf, ".wisp.manifest");
    struct elf64_section sh = { 0 };
    const uint8_t *text = NULL;
    if (idx) {
        mod_elf_section(&elf, idx, &sh);
        text = mod_elf_section_data(&elf, idx);
    }
    struct mod_manifest *mf = text ? kmalloc(sizeof(*mf)) : NULL;
    struct mod_manifest_error perr;
    enum mod_status st = MOD_OK;
    int e = -1;
    if (!mf || mod_manifest_parse(mf, text, sh.size, "manifest.wisp", &perr) != MOD_MANIFEST_OK ||
        (e = mod_manifest_find_export(mf, name)) < 0)
        st = mod_fail(err, MOD_E_MANIFEST, "module %s: its manifest does not declare '%s'",
                      provider, name);
    else
        *out = mf->exports[e];
    kfree(mf);
    return st;
}

enum mod_status boot_image_module(const char *name, struct mod_image_section *out,
                                  struct mod_error *err)
{
    const struct module_image_entry *e = have_image ? image_entry(name) : NULL;
    if (!e || e->type != MOD_SECTION_MODULE)
        return mod_fail(err, MOD_E_NOT_FOUND, "module %s: not in the image", name);
    if (!e->verified)
        return mod_fail(err, MOD_E_SIGNATURE, "module %s: refused at boot: %s", name, e->reason);
    enum mod_status st = mod_image_find(&boot_image, name, out);
    if (st != MOD_OK)
        return mod_fail(err, st, "module %s: not in the image", name);
    return MOD_OK;
}

static const struct boot_module *find_image_module(void)
{
    for (unsigned i = 0; i < boot_info.module_count; i++)
        if (strcmp(boot_info.modules[i].cmdline, "image") == 0)
            return &boot_info.modules[i];
    return NULL;
}

/* Checks every section; a bad one is refused (with its reason) and kept
 * out of reach, the others stay usable. */
static void verify_image(void)
{
    for (uint32_t i = 0; i < boot_image.section_count && i < IMAGE_ENTRIES_MAX; i++) {
        struct mod_image_section s;
        struct mod_error err = { 0 };
        mod_image_section(&boot_image, i, &s);
        struct module_image_entry *e = &image_entries[image_entry_count++];
        strlcpy(e->name, s.name, sizeof(e->name));
        e->type = s.type;
        e->version = s.version;
        e->verified = mod_image_verify_section(&s, mod_signing_key, &err) == MOD_OK;
        if (!e->verified) {
            strlcpy(e->reason, err.message, sizeof(e->reason));
            pr_err("image: section %s refused: %s\n", s.name, err.message);
        } else if (s.type == MOD_SECTION_PROGRAM) {
            program_register(s.name, s.content, s.size); /* logs a refusal */
        } else if (s.type == MOD_SECTION_MODULE) {
            exports_ok[i] = mod_elf_parse(&image_objects[i], s.content, s.size, NULL) == MOD_OK;
        }
    }
}

static void load_boot_configuration(void)
{
    const struct module_image_entry *e = image_entry("boot.conf");
    struct mod_image_section s;
    if (!e || e->type != MOD_SECTION_CONFIG || mod_image_find(&boot_image, e->name, &s) != MOD_OK) {
        pr_warn("image: no boot configuration section; no module loaded at boot\n");
        return;
    }
    if (!e->verified) {
        pr_err("image: boot configuration refused (%s); no module loaded at boot\n", e->reason);
        return;
    }
    struct mod_config_cursor cursor;
    char name[MOD_IMAGE_NAME_SIZE];
    struct mod_error err;
    mod_config_begin(&cursor, s.content, s.size);
    enum mod_status st;
    while ((st = mod_config_next(&cursor, name, &err)) == MOD_OK) {
        struct module *m;
        if (module_load(name, &m, &err) != MOD_OK)
            pr_err("boot: module %s not loaded: %s\n", name, err.message);
    }
    if (st != MOD_E_NOT_FOUND)
        pr_err("boot: configuration: %s\n", err.message);
}

void module_boot(void)
{
    const struct boot_module *bm = find_image_module();
    if (!bm) {
        pr_warn("image: GRUB loaded no image module: running the core alone\n");
        return;
    }
    struct mod_error err;
    if (mod_image_open(&boot_image, phys_to_virt(bm->start), bm->end - bm->start, &err) != MOD_OK) {
        pr_err("image: %s: running the core alone\n", err.message);
        return;
    }
    have_image = true;
    verify_image();
    unsigned ok = 0;
    for (unsigned i = 0; i < image_entry_count; i++)
        ok += image_entries[i].verified;
    pr_info("image: %u sections, %u verified\n", image_entry_count, ok);
    load_boot_configuration();
}
