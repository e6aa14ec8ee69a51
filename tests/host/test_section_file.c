/* test_section_file.c — the standalone section file, the payload of a live
 * update push (modload/image.c mod_section_file_open, builder.c
 * mod_section_file_build): build → open → verify round trip, and every
 * malformed case refused with the status and a message naming it:
 * truncation at every length, trailing bytes, wrong offset, wrong type,
 * bad name, reserved bytes, signature size, tampered content or header. */
#include "htest.h"
#include "modtest.h"
#include "modload/tools/builder.h"
#include "modload/format/image.h"
#include "modload/tools/sign.h"

static struct mod_signing_key section_key, section_other_key;
static const char section_content[] = "\177ELF pretend module content, 48 bytes or so..";

struct section_file {
    uint8_t *data;
    size_t size;
    struct mod_image_section s;
    struct mod_error err;
};

static void section_build(struct section_file *f, const struct mod_signing_key *with)
{
    mod_sign_key_from_seed(&section_key, "wisp test key", 13);
    mod_sign_key_from_seed(&section_other_key, "another key", 11);
    f->data = mod_section_file_build("counter", 2u << 16 | 1, 0, section_content,
                                     sizeof(section_content), with, &f->size, &f->err);
}

static enum mod_status section_open(struct section_file *f, size_t size)
{
    memset(&f->err, 0, sizeof(f->err));
    return mod_section_file_open(f->data, size, &f->s, &f->err);
}

#define EXPECT_SECTION_MESSAGE(f, text) \
    do { \
        if (!strstr((f)->err.message, text)) \
            HTEST_FAIL("message '%s' lacks '%s'", (f)->err.message, text); \
    } while (0)

HTEST(section_file_build_open_verify_round_trip)
{
    struct section_file f;
    section_build(&f, &section_key);
    ASSERT_TRUE(f.data != NULL);
    ASSERT_EQ(f.size, (size_t)MOD_SECTION_FILE_HEADER + sizeof(section_content));
    ASSERT_EQ(section_open(&f, f.size), MOD_OK);
    EXPECT_STREQ(f.s.name, "counter");
    EXPECT_EQ(f.s.type, (uint32_t)MOD_SECTION_MODULE);
    EXPECT_EQ(f.s.version, 2u << 16 | 1);
    EXPECT_EQ(f.s.offset, (uint64_t)MOD_SECTION_FILE_HEADER);
    EXPECT_EQ(f.s.size, (uint64_t)sizeof(section_content));
    EXPECT_PTR_EQ(f.s.content, f.data + MOD_SECTION_FILE_HEADER);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_key.public_key, &f.err), MOD_OK);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_other_key.public_key, &f.err),
              MOD_E_SIGNATURE);
    free(f.data);
}

/* The rollback flag is part of what is signed: a signed rollback opens and
 * verifies; the same flag set on a section signed without it (an old file
 * replayed as a "rollback") fails the signature. */
HTEST(section_file_rollback_flag_is_signed_and_cannot_be_added_later)
{
    struct section_file f;
    mod_sign_key_from_seed(&section_key, "wisp test key", 13);
    f.data = mod_section_file_build("counter", 1u << 16, MOD_SECTION_FLAG_ROLLBACK, section_content,
                                    sizeof(section_content), &section_key, &f.size, &f.err);
    ASSERT_TRUE(f.data != NULL);
    ASSERT_EQ(section_open(&f, f.size), MOD_OK);
    EXPECT_EQ(f.s.flags, MOD_SECTION_FLAG_ROLLBACK);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_key.public_key, &f.err), MOD_OK);
    free(f.data);

    section_build(&f, &section_key); /* no flag */
    ASSERT_TRUE(f.data != NULL);
    modtest_put(f.data + 4, MOD_SECTION_FLAG_ROLLBACK, 4);
    ASSERT_EQ(section_open(&f, f.size), MOD_OK);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_key.public_key, &f.err), MOD_E_SIGNATURE);
    free(f.data);
}

HTEST(section_file_every_truncation_and_extension_is_refused)
{
    struct section_file f;
    section_build(&f, &section_key);
    ASSERT_TRUE(f.data != NULL);
    for (size_t n = 0; n < f.size; n++) {
        enum mod_status st = section_open(&f, n);
        if (st != MOD_E_IMAGE_TRUNCATED)
            HTEST_FAIL("section file truncated to %zu bytes: status %d", n, st);
    }
    uint8_t *longer = realloc(f.data, f.size + 1);
    ASSERT_TRUE(longer != NULL);
    f.data = longer;
    f.data[f.size] = 0;
    EXPECT_EQ(section_open(&f, f.size + 1), MOD_E_IMAGE_SECTION_BOUNDS);
    EXPECT_SECTION_MESSAGE(&f, "the file has");
    free(f.data);
}

HTEST(section_file_malformed_entries_are_refused)
{
    struct section_file f;
    uint8_t entry[MOD_SECTION_FILE_HEADER];
    section_build(&f, &section_key);
    ASSERT_TRUE(f.data != NULL);
    memcpy(entry, f.data, sizeof(entry));
#define RESTORE() memcpy(f.data, entry, sizeof(entry))
    modtest_put(f.data + 0, MOD_SECTION_CONFIG, 4);
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_SECTION_TYPE);
    EXPECT_SECTION_MESSAGE(&f, "only a module can be pushed");
    modtest_put(f.data + 0, 9, 4);
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_SECTION_TYPE);
    RESTORE();
    modtest_put(f.data + 4, 2, 4); /* an unknown flag */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_RESERVED);
    RESTORE();
    modtest_put(f.data + 14, 1, 2); /* reserved u16 */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_RESERVED);
    RESTORE();
    f.data[170] = 1; /* reserved tail */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_RESERVED);
    RESTORE();
    modtest_put(f.data + 12, 73, 2); /* signature size */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_RESERVED);
    RESTORE();
    modtest_put(f.data + 16, 0, 8); /* offset */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_SECTION_BOUNDS);
    EXPECT_SECTION_MESSAGE(&f, "content offset 0, expected 176");
    RESTORE();
    modtest_put(f.data + 24, UINT64_MAX, 8); /* size overflows */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_TRUNCATED);
    RESTORE();
    f.data[32] = '/';
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_SECTION_NAME);
    RESTORE();
    f.data[32 + 20] = 'z'; /* garbage after the NUL */
    EXPECT_EQ(section_open(&f, f.size), MOD_E_IMAGE_SECTION_NAME);
    RESTORE();
    EXPECT_EQ(section_open(&f, f.size), MOD_OK);
#undef RESTORE
    free(f.data);
}

HTEST(section_file_tampering_fails_verification)
{
    struct section_file f;
    section_build(&f, &section_key);
    ASSERT_TRUE(f.data != NULL);
    f.data[MOD_SECTION_FILE_HEADER + 3] ^= 1;
    ASSERT_EQ(section_open(&f, f.size), MOD_OK);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_key.public_key, &f.err), MOD_E_CHECKSUM);
    f.data[MOD_SECTION_FILE_HEADER + 3] ^= 1;
    modtest_put(f.data + 8, 3u << 16, 4); /* version: signed */
    ASSERT_EQ(section_open(&f, f.size), MOD_OK);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_key.public_key, &f.err), MOD_E_SIGNATURE);
    free(f.data);
    section_build(&f, NULL);
    ASSERT_TRUE(f.data != NULL);
    ASSERT_EQ(section_open(&f, f.size), MOD_OK);
    EXPECT_EQ(mod_image_verify_section(&f.s, section_key.public_key, &f.err), MOD_E_UNSIGNED);
    free(f.data);
}
