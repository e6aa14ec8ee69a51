/* fuzz_image.c — libFuzzer harness for the image reader: mod_image_open()
 * on arbitrary bytes, then every section decoded, found by name, verified
 * (checksum and signature) and, for the boot configuration, parsed. The
 * same bytes are also read as a standalone section file (the push payload,
 * mod_section_file_open) and, if well formed, verified.
 *
 * Seeds (tests/fuzz/corpus/image) are small images signed with a fixed,
 * public test key derived from a seed string, so that mutations reach the
 * successful verification path too. They were written by this harness:
 *     FUZZ_IMAGE_WRITE_SEEDS=tests/fuzz/corpus/image build/fuzz/fuzz_image
 */
#include "modload/tools/builder.h"
#include "modload/format/config.h"
#include "modload/format/image.h"
#include "modload/tools/sign.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static struct mod_signing_key key; /* insecure by design: test key */
static const uint8_t *public_key = key.public_key;
static struct mod_image_builder builder;

static void write_seed(const char *dir, const char *name, int unsigned_module, int with_config)
{
    static const char core[] = "\177ELF core stand-in";
    static const char module[] = "\177ELF module stand-in";
    static const char config[] = "# seed\nload mod\nload other\n";
    char path[1024];
    size_t size;
    mod_builder_start(&builder, core, sizeof(core), 1u << 16, &key, NULL);
    mod_builder_add(&builder, MOD_SECTION_MODULE, "mod", 1u << 16 | 2, module, sizeof(module),
                    unsigned_module ? NULL : &key, NULL);
    mod_builder_add(&builder, MOD_SECTION_MODULE, "other", 3u << 16, "x", 1, &key, NULL);
    if (with_config)
        mod_builder_add(&builder, MOD_SECTION_CONFIG, "boot.conf", 1u << 16, config,
                        sizeof(config) - 1, &key, NULL);
    uint8_t *image = mod_builder_finish(&builder, &size);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(image, 1, size, f) != size || fclose(f))
        abort();
    free(image);
    mod_builder_free(&builder);
}

static void write_section_seed(const char *dir)
{
    static const char module[] = "\177ELF pushed module stand-in";
    char path[1024];
    size_t size;
    uint8_t *file =
        mod_section_file_build("counter", 2u << 16, 0, module, sizeof(module), &key, &size, NULL);
    snprintf(path, sizeof(path), "%s/section-file.sec", dir);
    FILE *f = fopen(path, "wb");
    if (!file || !f || fwrite(file, 1, size, f) != size || fclose(f))
        abort();
    free(file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mod_sign_key_from_seed(&key, "wisp fuzz seed key", 18);
    const char *dir = getenv("FUZZ_IMAGE_WRITE_SEEDS");
    if (dir) {
        write_seed(dir, "signed-with-config.seed", 0, 1);
        write_seed(dir, "unsigned-module.seed", 1, 0);
        write_section_seed(dir);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mod_image image;
    struct mod_image_section s, found;
    struct mod_error err;
    if (mod_section_file_open(data, size, &s, &err) == MOD_OK) {
        if (s.content != data + MOD_SECTION_FILE_HEADER || s.size != size - MOD_SECTION_FILE_HEADER)
            __builtin_trap(); /* open() promised the content is the rest */
        mod_image_verify_section(&s, public_key, &err);
    }
    if (mod_image_open(&image, data, size, &err) != MOD_OK)
        return 0;
    for (uint32_t i = 0; i < image.section_count; i++) {
        mod_image_section(&image, i, &s);
        if (mod_image_find(&image, s.name, &found) != MOD_OK || found.index != i)
            __builtin_trap(); /* open() promised unique names */
        mod_image_verify_section(&s, public_key, &err);
        if (s.type != MOD_SECTION_CONFIG)
            continue;
        struct mod_config_cursor cursor;
        char name[MOD_IMAGE_NAME_SIZE];
        mod_config_begin(&cursor, s.content, s.size);
        while (mod_config_next(&cursor, name, &err) == MOD_OK)
            ;
    }
    return 0;
}
