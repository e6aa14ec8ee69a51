/* wisp-image — host tool that builds, lists, verifies and extends Wisp
 * images (format: MODULES.md). Every problem is reported with the section
 * it concerns and the reason, and makes the tool exit with status 1.
 *
 *   wisp-image build OUT --core ELF --key KEY [--config FILE]
 *                        [--module NAME[@MAJOR.MINOR]=OBJ]...
 *                        [--program NAME[@MAJOR.MINOR]=ELF]...
 *   wisp-image list IMG
 *   wisp-image verify IMG --pubkey KEY
 *   wisp-image append IMG --key KEY NAME[@MAJOR.MINOR]=OBJ...
 *   wisp-image pubkey --key KEY [--c SYMBOL]
 *   wisp-image section OUT --key KEY NAME[@MAJOR.MINOR]=OBJ
 *
 * section writes one signed module section as a standalone section file
 * (image.h), the payload that wisp-push sends for a live update.
 *
 * --program adds a user program (an ELF64 position-independent executable
 * built with the SDK, checked with exec.h) as a signed program section.
 *
 * build also takes --unsigned-module and --unchecked-module (same syntax as
 * --module) and --unchecked-program to make deliberately bad images for
 * tests.
 */
#include "modload/tools/builder.h"
#include "modload/format/config.h"
#include "modload/format/elf.h"
#include "modload/format/exec.h"
#include "modload/format/reloc.h"
#include "modload/contract/manifest.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *program = "wisp-image";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail("%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *data = NULL;
    size_t used = 0, capacity = 0;
    for (;;) {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            uint8_t *bigger = realloc(data, capacity);
            if (!bigger)
                break;
            data = bigger;
        }
        size_t n = fread(data + used, 1, capacity - used, f);
        used += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad || !data) {
        fail("%s: read error", path);
        free(data);
        return NULL;
    }
    *size = used;
    return data;
}

/* Writes via a temporary file and rename, so a failure leaves OUT as it was. */
static int write_file(const char *path, const uint8_t *data, size_t size)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return fail("%s: %s", tmp, strerror(errno));
    int bad = fwrite(data, 1, size, f) != size;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        remove(tmp);
        return fail("%s: write error", path);
    }
    return 0;
}

/* Reads the key file at path and decodes it: the private key (key set)
 * or, with public_key set, only the public one. */
static int read_key(const char *path, struct mod_signing_key *key, uint8_t *public_key)
{
    struct mod_error err;
    size_t size;
    uint8_t *data = read_file(path, &size);
    if (!data)
        return 1;
    enum mod_status st = key ? mod_sign_load_key(key, data, size, &err)
                             : mod_sign_load_public_key(public_key, data, size, &err);
    free(data);
    return st ? fail("%s: %s", path, err.message) : 0;
}

static int load_key(const char *path, struct mod_signing_key *key)
{
    return read_key(path, key, NULL);
}

/* Checks that an object will load: parses it and computes its layout. */
static int check_module(const char *name, const uint8_t *data, size_t size)
{
    struct mod_elf elf;
    struct mod_layout layout;
    struct mod_error err;
    if (mod_elf_parse(&elf, data, size, &err))
        return fail("module '%s': %s", name, err.message);
    struct mod_placement *placements = calloc(elf.section_count, sizeof(*placements));
    if (!placements)
        return fail("out of memory");
    enum mod_status st = mod_layout_compute(&elf, placements, elf.section_count, &layout, &err);
    free(placements);
    return st ? fail("module '%s': %s", name, err.message) : 0;
}

/* Checks that a program will load: validates it as a PIE (exec.h). */
static int check_program(const char *name, const uint8_t *data, size_t size)
{
    struct mod_exec exec;
    struct mod_error err;
    if (mod_exec_parse(&exec, name, data, size, &err))
        return fail("%s", err.message);
    return 0;
}

/* The version a module object's manifest says, or 1.0 (a program, an
 * object without a manifest that parses). */
static uint32_t manifest_version(const uint8_t *data, size_t size)
{
    struct mod_elf elf;
    static struct mod_manifest manifest;
    uint32_t idx;
    struct elf64_section sh;
    if (mod_elf_parse(&elf, data, size, NULL) != MOD_OK ||
        !(idx = mod_elf_find_section(&elf, ".wisp.manifest")))
        return 1u << 16;
    mod_elf_section(&elf, idx, &sh);
    if (mod_manifest_parse(&manifest, mod_elf_section_data(&elf, idx), sh.size, "manifest", NULL) !=
        MOD_MANIFEST_OK)
        return 1u << 16;
    return (uint32_t)manifest.version_major << 16 | manifest.version_minor;
}

/* Splits NAME[@MAJOR.MINOR]=FILE; without @, *version is 0 (the caller
 * takes the manifest's). */
static int parse_module_arg(char *arg, char **name, uint32_t *version, char **path)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return fail("'%s': expected NAME[@MAJOR.MINOR]=FILE", arg);
    *eq = 0;
    *path = eq + 1;
    *name = arg;
    *version = 0;
    char *at = strchr(arg, '@');
    if (at) {
        unsigned major, minor = 0;
        *at = 0;
        if (sscanf(at + 1, "%u.%u", &major, &minor) < 1 || major > 0xffff || minor > 0xffff)
            return fail("module '%s': bad version '%s'", arg, at + 1);
        *version = major << 16 | minor;
    }
    return 0;
}

enum add_mode {
    ADD_CHECKED,
    ADD_UNCHECKED,
    ADD_UNSIGNED,
    ADD_PROGRAM,
    ADD_UNCHECKED_PROGRAM,
};

/* The add_mode of a build option, or -1 if it adds no section. */
static int module_mode(const char *option)
{
    if (!strcmp(option, "--module"))
        return ADD_CHECKED;
    if (!strcmp(option, "--unchecked-module"))
        return ADD_UNCHECKED;
    if (!strcmp(option, "--unsigned-module"))
        return ADD_UNSIGNED;
    if (!strcmp(option, "--program"))
        return ADD_PROGRAM;
    if (!strcmp(option, "--unchecked-program"))
        return ADD_UNCHECKED_PROGRAM;
    return -1;
}

static int add_module(struct mod_image_builder *b, char *arg, enum add_mode mode,
                      const struct mod_signing_key *key)
{
    char *name = NULL, *path = NULL;
    uint32_t version;
    size_t size;
    struct mod_error err;
    if (parse_module_arg(arg, &name, &version, &path))
        return 1;
    uint8_t *data = read_file(path, &size);
    if (!data)
        return 1;
    if (!version)
        version = manifest_version(data, size);
    bool program = mode == ADD_PROGRAM || mode == ADD_UNCHECKED_PROGRAM;
    int bad = (mode == ADD_CHECKED && check_module(name, data, size)) ||
              (mode == ADD_PROGRAM && check_program(name, data, size));
    if (!bad && mod_builder_add(b, program ? MOD_SECTION_PROGRAM : MOD_SECTION_MODULE, name,
                                version, data, size, mode == ADD_UNSIGNED ? NULL : key, &err))
        bad = fail("%s", err.message);
    free(data);
    return bad;
}

/* Every `load NAME` must name a module section of the image. */
static int check_config(const uint8_t *text, size_t size, const struct mod_image_section *sections,
                        uint32_t count)
{
    struct mod_config_cursor cursor;
    struct mod_error err;
    char name[MOD_IMAGE_NAME_SIZE];
    enum mod_status st;
    int bad = 0;
    mod_config_begin(&cursor, text, size);
    while ((st = mod_config_next(&cursor, name, &err)) != MOD_E_NOT_FOUND) {
        if (st) {
            bad |= fail("config: %s", err.message);
            break;
        }
        uint32_t i = 0;
        while (i < count &&
               !(sections[i].type == MOD_SECTION_MODULE && strcmp(sections[i].name, name) == 0))
            i++;
        if (i == count)
            bad |= fail("config: line %u loads '%s', which is not a module of the image",
                        cursor.line, name);
    }
    return bad;
}

static int finish(struct mod_image_builder *b, const char *out)
{
    size_t size;
    uint8_t *image = mod_builder_finish(b, &size);
    if (!image)
        return fail("out of memory");
    int bad = write_file(out, image, size);
    free(image);
    return bad;
}

static struct mod_image_builder builder; /* large: not on the stack */

static int cmd_build(int argc, char **argv)
{
    const char *out = argv[0], *core = NULL, *key_path = NULL, *config = NULL;
    struct mod_signing_key key;
    struct mod_error err;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--core") && i + 1 < argc)
            core = argv[++i];
        else if (!strcmp(argv[i], "--key") && i + 1 < argc)
            key_path = argv[++i];
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (module_mode(argv[i]) < 0 || i + 1 >= argc)
            return fail("build: unexpected argument '%s'", argv[i]);
        else
            i++;
    }
    if (!core || !key_path)
        return fail("build: --core ELF and --key KEY are required");
    if (load_key(key_path, &key))
        return 1;
    size_t size;
    uint8_t *data = read_file(core, &size);
    if (!data)
        return 1;
    if (mod_builder_start(&builder, data, size, 1u << 16, &key, &err))
        bad = fail("%s", err.message);
    free(data);
    for (int i = 1; i < argc && !bad; i++) {
        int mode = module_mode(argv[i]);
        i++; /* the option's value */
        if (mode >= 0)
            bad = add_module(&builder, argv[i], mode, &key);
    }
    if (!bad && config) {
        data = read_file(config, &size);
        bad = !data || check_config(data, size, builder.sections, builder.count);
        if (!bad && mod_builder_add(&builder, MOD_SECTION_CONFIG, "boot.conf", 1u << 16, data, size,
                                    &key, &err))
            bad = fail("%s", err.message);
        free(data);
    }
    if (!bad)
        bad = finish(&builder, out);
    mod_builder_free(&builder);
    return bad;
}

static int cmd_append(int argc, char **argv)
{
    const char *path = argv[0], *key_path = NULL;
    struct mod_signing_key key;
    struct mod_error err;
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], "--key"))
            key_path = argv[i + 1];
    if (!key_path)
        return fail("append: --key KEY is required");
    if (load_key(key_path, &key))
        return 1;
    size_t size;
    uint8_t *data = read_file(path, &size);
    if (!data)
        return 1;
    int bad = 0, added = 0;
    if (mod_builder_reopen(&builder, data, size, &err))
        bad = fail("%s: %s", path, err.message);
    free(data);
    for (int i = 1; i < argc && !bad; i++) {
        if (!strcmp(argv[i], "--key")) {
            i++;
            continue;
        }
        bad = add_module(&builder, argv[i], ADD_CHECKED, &key);
        added++;
    }
    if (!bad && !added)
        bad = fail("append: no NAME=OBJ given");
    if (!bad)
        bad = finish(&builder, path);
    mod_builder_free(&builder);
    return bad;
}

static void format_version(uint32_t version, char *out, size_t size)
{
    snprintf(out, size, "%u.%u", version >> 16, version & 0xffff);
}

static int open_image(const char *path, uint8_t **data, struct mod_image *image)
{
    struct mod_error err;
    size_t size;
    *data = read_file(path, &size);
    if (!*data)
        return 1;
    if (mod_image_open(image, *data, size, &err)) {
        free(*data);
        return fail("%s: %s", path, err.message);
    }
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    if (argc != 1)
        return fail("list: expected one image");
    struct mod_image image;
    struct mod_image_section s;
    uint8_t *data;
    char version[16];
    if (open_image(argv[0], &data, &image))
        return 1;
    printf("%-3s %-7s %-31s %-9s %10s %10s  %-16s %s\n", "#", "type", "name", "version", "offset",
           "size", "sha256", "signature");
    for (uint32_t i = 0; i < image.section_count; i++) {
        mod_image_section(&image, i, &s);
        format_version(s.version, version, sizeof(version));
        printf("%-3u %-7s %-31s %-9s %10llu %10llu  ", i, mod_section_type_name(s.type), s.name,
               version, (unsigned long long)s.offset, (unsigned long long)s.size);
        for (int b = 0; b < 8; b++)
            printf("%02x", s.sha256[b]);
        if (s.signature_size)
            printf("  %u bytes\n", s.signature_size);
        else
            printf("  unsigned\n");
    }
    free(data);
    return 0;
}

static int load_public_key(const char *path, uint8_t public_key[65])
{
    return read_key(path, NULL, public_key);
}

static int cmd_verify(int argc, char **argv)
{
    struct mod_image image;
    struct mod_image_section s, sections[MOD_IMAGE_MAX_SECTIONS];
    struct mod_error err;
    uint8_t public_key[65], *data;
    const char *key_path = NULL;
    int bad = 0;
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], "--pubkey"))
            key_path = argv[i + 1];
    if (!key_path)
        return fail("verify: --pubkey KEY is required");
    if (load_public_key(key_path, public_key) || open_image(argv[0], &data, &image))
        return 1;
    for (uint32_t i = 0; i < image.section_count; i++) {
        mod_image_section(&image, i, &s);
        sections[i] = s;
        int section_bad = 0;
        if (mod_image_verify_section(&s, public_key, &err))
            section_bad = fail("%s", err.message);
        else if (s.type == MOD_SECTION_MODULE)
            section_bad = check_module(s.name, s.content, s.size);
        else if (s.type == MOD_SECTION_PROGRAM)
            section_bad = check_program(s.name, s.content, s.size);
        if (!section_bad)
            printf("ok      %s %s\n", mod_section_type_name(s.type), s.name);
        bad |= section_bad;
    }
    for (uint32_t i = 0; i < image.section_count; i++)
        if (sections[i].type == MOD_SECTION_CONFIG)
            bad |=
                check_config(sections[i].content, sections[i].size, sections, image.section_count);
    free(data);
    if (bad)
        fprintf(stderr, "%s: %s: verification FAILED\n", program, argv[0]);
    return bad;
}

static int cmd_pubkey(int argc, char **argv)
{
    struct mod_signing_key key;
    const char *key_path = NULL, *symbol = NULL;
    for (int i = 0; i < argc - 1; i++) {
        if (!strcmp(argv[i], "--key"))
            key_path = argv[i + 1];
        if (!strcmp(argv[i], "--c"))
            symbol = argv[i + 1];
    }
    if (!key_path)
        return fail("pubkey: --key KEY is required");
    if (load_key(key_path, &key))
        return 1;
    if (symbol)
        printf("/* Generated by wisp-image pubkey from the build's key: do not edit. */\n"
               "const unsigned char %s[65] = {",
               symbol);
    for (int i = 0; i < 65; i++)
        printf(symbol ? "%s0x%02x," : "%s%02x", symbol && i % 12 == 0 ? "\n    " : "",
               key.public_key[i]);
    printf(symbol ? "\n};\n" : "\n");
    return 0;
}

/* section OUT --key KEY [--rollback] NAME[@MAJOR.MINOR]=OBJ: one signed
 * module section on its own, the payload of `wisp-push`. --rollback signs
 * MOD_SECTION_FLAG_ROLLBACK into it: the kernel then lets this version
 * replace a newer one (MODULES.md, "Forward only"). */
static int cmd_section(int argc, char **argv)
{
    const char *out = argv[0], *key_path = NULL;
    char *module = NULL, *name = NULL, *path = NULL;
    struct mod_signing_key key;
    struct mod_error err;
    uint32_t version, flags = 0;
    size_t size, file_size;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key") && i + 1 < argc)
            key_path = argv[++i];
        else if (!strcmp(argv[i], "--rollback"))
            flags |= MOD_SECTION_FLAG_ROLLBACK;
        else if (!module)
            module = argv[i];
        else
            return fail("section: unexpected argument '%s'", argv[i]);
    }
    if (!key_path || !module)
        return fail("section: needs --key KEY and NAME[@MAJOR.MINOR]=OBJ");
    if (load_key(key_path, &key) || parse_module_arg(module, &name, &version, &path))
        return 1;
    uint8_t *data = read_file(path, &size);
    if (!data)
        return 1;
    if (!version)
        version = manifest_version(data, size);
    int bad = check_module(name, data, size);
    uint8_t *file =
        bad ? NULL
            : mod_section_file_build(name, version, flags, data, size, &key, &file_size, &err);
    if (!bad && !file)
        bad = fail("%s", err.message);
    if (!bad)
        bad = write_file(out, file, file_size);
    free(file);
    free(data);
    return bad;
}

static int usage(void)
{
    fprintf(
        stderr,
        "usage: %s build OUT --core ELF --key KEY [--config FILE] [--module NAME[@MAJOR.MINOR]=OBJ]... [--program NAME[@MAJOR.MINOR]=ELF]...\n"
        "       %s list IMG\n"
        "       %s verify IMG --pubkey KEY\n"
        "       %s append IMG --key KEY NAME[@MAJOR.MINOR]=OBJ...\n"
        "       %s pubkey --key KEY [--c SYMBOL]\n"
        "       %s section OUT --key KEY [--rollback] NAME[@MAJOR.MINOR]=OBJ\n",
        program, program, program, program, program, program);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    if (!strcmp(cmd, "build"))
        return cmd_build(argc - 2, argv + 2);
    if (!strcmp(cmd, "list"))
        return cmd_list(argc - 2, argv + 2);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 2, argv + 2);
    if (!strcmp(cmd, "append"))
        return cmd_append(argc - 2, argv + 2);
    if (!strcmp(cmd, "pubkey"))
        return cmd_pubkey(argc - 2, argv + 2);
    if (!strcmp(cmd, "section"))
        return cmd_section(argc - 2, argv + 2);
    return usage();
}
