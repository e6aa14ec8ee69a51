/* fuzz_image.c — libFuzzer harness for the image reader: mod_image_open()
 * on arbitrary bytes, then every section decoded, found by name, verified
 * (checksum and signature) and, for the boot configuration, parsed. Seeds:
 * tests/fuzz/corpus/image (small signed images). */
#include "modload/config.h"
#include "modload/image.h"
#include <stddef.h>
#include <stdint.h>

/* An arbitrary valid P-256 point: the generator G. */
static const uint8_t public_key[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
    0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
    0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mod_image image;
    struct mod_image_section s, found;
    struct mod_error err;
    if (mod_image_open(&image, data, size, &err) != MOD_OK)
        return 0;
    for (uint32_t i = 0; i < image.section_count; i++) {
        mod_image_section(&image, i, &s);
        if (mod_image_find(&image, s.name, &found) != MOD_OK || found.index != i)
            __builtin_trap();   /* open() promised unique names */
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
