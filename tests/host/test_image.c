/* test_image.c — the image trailer (modload/image.c, verify.c, builder.c,
 * config.c): build → open → verify round trip; a tampered byte, a swapped
 * name, another key or a missing signature is refused naming the section;
 * truncation, overflowing offsets, duplicate names, overlaps and reserved
 * fields are refused by mod_image_open(); appending keeps the others
 * valid. Keys are deterministic test keys (mod_sign_key_from_seed). */
#include "htest.h"
#include "modtest.h"
#include "modload/tools/builder.h"
#include "modload/format/config.h"
#include "modload/format/image.h"
#include "modload/tools/sign.h"

static struct mod_image_builder builder; /* large: not on the stack */
static struct mod_signing_key key, other_key;

struct test_image {
    uint8_t *data;
    size_t size;
    struct mod_image image;
    struct mod_error err;
};

static const char boot_config[] = "# test\nload alpha\n\nload beta\n";

/* core (reloc_overflow.o as a stand-in ELF), modules alpha and beta
 * (unsigned if unsigned_beta), boot.conf. */
static int build_image(struct test_image *t, int unsigned_beta)
{
    size_t core_size, alpha_size, beta_size;
    uint8_t *core = modtest_load("reloc_overflow.o", &core_size);
    uint8_t *alpha = modtest_load("reloc_all.o", &alpha_size);
    uint8_t *beta = modtest_load("reloc_got.o", &beta_size);
    int ok = core && alpha && beta &&
             !mod_builder_start(&builder, core, core_size, 1u << 16, &key, &t->err) &&
             !mod_builder_add(&builder, MOD_SECTION_MODULE, "alpha", 2u << 16 | 3, alpha,
                              alpha_size, &key, &t->err) &&
             !mod_builder_add(&builder, MOD_SECTION_MODULE, "beta", 1u << 16, beta, beta_size,
                              unsigned_beta ? NULL : &key, &t->err) &&
             !mod_builder_add(&builder, MOD_SECTION_CONFIG, "boot.conf", 1u << 16, boot_config,
                              sizeof(boot_config) - 1, &key, &t->err);
    if (ok)
        t->data = mod_builder_finish(&builder, &t->size);
    mod_builder_free(&builder);
    free(core);
    free(alpha);
    free(beta);
    return ok && t->data;
}

static void setup_keys(void)
{
    mod_sign_key_from_seed(&key, "wisp test key", 13);
    mod_sign_key_from_seed(&other_key, "another key", 11);
}

static enum mod_status reopen(struct test_image *t)
{
    memset(&t->err, 0, sizeof(t->err));
    return mod_image_open(&t->image, t->data, t->size, &t->err);
}

static enum mod_status verify(struct test_image *t, const char *name,
                              const struct mod_signing_key *with)
{
    struct mod_image_section s;
    if (mod_image_find(&t->image, name, &s) != MOD_OK)
        return MOD_E_NOT_FOUND;
    memset(&t->err, 0, sizeof(t->err));
    return mod_image_verify_section(&s, with->public_key, &t->err);
}

/* Offset of field in table entry index. */
static size_t entry_field(struct test_image *t, uint32_t index, size_t field)
{
    return t->image.table_offset + (size_t)index * MOD_IMAGE_ENTRY_SIZE + field;
}

static size_t footer_field(struct test_image *t, size_t field)
{
    return t->size - MOD_IMAGE_FOOTER_SIZE + field;
}

#define EXPECT_MESSAGE(t, text) \
    do { \
        if (!strstr((t)->err.message, text)) \
            HTEST_FAIL("message '%s' lacks '%s'", (t)->err.message, text); \
    } while (0)

HTEST(image_build_open_verify_round_trip)
{
    struct test_image t;
    struct mod_image_section s;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    ASSERT_EQ(t.image.section_count, 4u);
    static const char *names[] = { "core", "alpha", "beta", "boot.conf" };
    static const uint32_t types[] = { MOD_SECTION_CORE, MOD_SECTION_MODULE, MOD_SECTION_MODULE,
                                      MOD_SECTION_CONFIG };
    for (uint32_t i = 0; i < 4; i++) {
        mod_image_section(&t.image, i, &s);
        EXPECT_STREQ(s.name, names[i]);
        EXPECT_EQ(s.type, types[i]);
        EXPECT_EQ(s.index, i);
        EXPECT_GT(s.signature_size, 60u);
        EXPECT_EQ(verify(&t, names[i], &key), MOD_OK);
        if (i)
            EXPECT_EQ(s.offset % MOD_IMAGE_ALIGN, 0u);
    }
    mod_image_section(&t.image, 0, &s);
    EXPECT_EQ(s.offset, 0u);
    EXPECT_PTR_EQ(s.content, t.data);
    ASSERT_EQ(mod_image_find(&t.image, "alpha", &s), MOD_OK);
    EXPECT_EQ(s.version, 2u << 16 | 3);
    EXPECT_EQ(mod_image_find(&t.image, "gamma", &s), MOD_E_NOT_FOUND);
    EXPECT_MEM_EQ(t.data + t.size - 8, "WISP-IMG", 8);
    free(t.data);
}

HTEST(image_tampered_module_byte_is_checksum_mismatch_naming_it)
{
    struct test_image t;
    struct mod_image_section s;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    ASSERT_EQ(mod_image_find(&t.image, "alpha", &s), MOD_OK);
    t.data[s.offset + s.size / 2] ^= 1;
    EXPECT_EQ(verify(&t, "alpha", &key), MOD_E_CHECKSUM);
    EXPECT_MESSAGE(&t, "section 'alpha': checksum mismatch");
    EXPECT_EQ(verify(&t, "core", &key), MOD_OK);
    EXPECT_EQ(verify(&t, "beta", &key), MOD_OK);
    EXPECT_EQ(verify(&t, "boot.conf", &key), MOD_OK);
    free(t.data);
}

HTEST(image_altered_table_entry_fails_signature)
{
    struct test_image t;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    t.data[entry_field(&t, 1, 8)] ^= 1; /* alpha's version */
    EXPECT_EQ(verify(&t, "alpha", &key), MOD_E_SIGNATURE);
    EXPECT_MESSAGE(&t, "section 'alpha': bad signature");
    t.data[entry_field(&t, 1, 8)] ^= 1;
    /* alpha and beta swap names: each signature covered the other name */
    memcpy(t.data + entry_field(&t, 1, 32), "beta\0", 5);
    memcpy(t.data + entry_field(&t, 2, 32), "alpha", 5);
    ASSERT_EQ(reopen(&t), MOD_OK);
    EXPECT_EQ(verify(&t, "alpha", &key), MOD_E_SIGNATURE);
    EXPECT_EQ(verify(&t, "beta", &key), MOD_E_SIGNATURE);
    free(t.data);
}

HTEST(image_wrong_key_and_unsigned_are_refused)
{
    struct test_image t;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 1));
    ASSERT_EQ(reopen(&t), MOD_OK);
    EXPECT_EQ(verify(&t, "alpha", &other_key), MOD_E_SIGNATURE);
    EXPECT_MESSAGE(&t, "'alpha': bad signature");
    EXPECT_EQ(verify(&t, "beta", &key), MOD_E_UNSIGNED);
    EXPECT_MESSAGE(&t, "section 'beta': unsigned");
    EXPECT_EQ(verify(&t, "alpha", &key), MOD_OK);
    struct mod_image_section s;
    mod_image_find(&t.image, "alpha", &s);
    uint8_t bad_key[65] = { 0x02 };
    EXPECT_EQ(mod_image_verify_section(&s, bad_key, &t.err), MOD_E_KEY);
    free(t.data);
}

HTEST(image_every_truncation_is_refused)
{
    struct test_image t;
    struct mod_image image;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    for (size_t n = 0; n < t.size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, t.data, n);
        enum mod_status st = mod_image_open(&image, copy, n, NULL);
        if (st != MOD_E_IMAGE_MAGIC && st != MOD_E_IMAGE_TRUNCATED)
            HTEST_FAIL("image truncated to %zu bytes: status %d", n, st);
        free(copy);
    }
    free(t.data);
}

HTEST(image_footer_errors_are_refused)
{
    struct test_image t;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    uint8_t footer[MOD_IMAGE_FOOTER_SIZE];
    memcpy(footer, t.data + footer_field(&t, 0), sizeof(footer));
    modtest_put(t.data + footer_field(&t, 16), 2, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_VERSION);
    memcpy(t.data + footer_field(&t, 0), footer, sizeof(footer));
    modtest_put(t.data + footer_field(&t, 0), UINT64_MAX - 100, 8); /* table offset */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_TRUNCATED);
    modtest_put(t.data + footer_field(&t, 0), 16, 8);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_TABLE);
    memcpy(t.data + footer_field(&t, 0), footer, sizeof(footer));
    modtest_put(t.data + footer_field(&t, 8), 0, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_TABLE);
    modtest_put(t.data + footer_field(&t, 8), 0xffffffffu, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_TABLE);
    modtest_put(t.data + footer_field(&t, 8), 5, 4); /* count too big for the table */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_TABLE);
    EXPECT_MESSAGE(&t, "does not end at the footer");
    memcpy(t.data + footer_field(&t, 0), footer, sizeof(footer));
    modtest_put(t.data + footer_field(&t, 20), 1, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_RESERVED);
    free(t.data);
}

HTEST(image_section_offset_overflow_is_refused)
{
    struct test_image t;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    modtest_put(t.data + entry_field(&t, 2, 16), UINT64_MAX - 15, 8); /* offset */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_BOUNDS);
    EXPECT_MESSAGE(&t, "section 2 'beta': offset");
    modtest_put(t.data + entry_field(&t, 2, 16), 0x10000, 8);
    modtest_put(t.data + entry_field(&t, 2, 24), UINT64_MAX - 0xffff, 8); /* size wraps */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_BOUNDS);
    free(t.data);
}

HTEST(image_structural_entry_errors_are_refused)
{
    struct test_image t;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    uint8_t entry[MOD_IMAGE_ENTRY_SIZE];
    memcpy(entry, t.data + entry_field(&t, 2, 0), sizeof(entry));
#define RESTORE() memcpy(t.data + entry_field(&t, 2, 0), entry, sizeof(entry))
    memcpy(t.data + entry_field(&t, 2, 32), "alpha", 5);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_DUPLICATE_NAME);
    EXPECT_MESSAGE(&t, "section 2 'alpha': same name as section 1");
    RESTORE();
    memset(t.data + entry_field(&t, 2, 32), 'x', MOD_IMAGE_NAME_SIZE); /* unterminated */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_NAME);
    RESTORE();
    t.data[entry_field(&t, 2, 32)] = '/';
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_NAME);
    RESTORE();
    t.data[entry_field(&t, 2, 32 + 10)] = 'z'; /* garbage after the NUL */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_NAME);
    RESTORE();
    modtest_put(t.data + entry_field(&t, 2, 0), 9, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_TYPE);
    EXPECT_MESSAGE(&t, "unknown type 9");
    modtest_put(t.data + entry_field(&t, 2, 0), MOD_SECTION_CORE, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_TYPE);
    EXPECT_MESSAGE(&t, "the core must be entry 0");
    modtest_put(t.data + entry_field(&t, 2, 0), MOD_SECTION_CONFIG, 4);
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_TYPE);
    EXPECT_MESSAGE(&t, "second boot configuration");
    RESTORE();
    modtest_put(t.data + entry_field(&t, 2, 4), 2, 4); /* an unknown flag */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_RESERVED);
    RESTORE();
    modtest_put(t.data + entry_field(&t, 2, 12), 73, 2); /* signature size */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_RESERVED);
    RESTORE();
    modtest_put(t.data + entry_field(&t, 2, 16), 8, 8); /* overlaps the core */
    EXPECT_EQ(reopen(&t), MOD_E_IMAGE_SECTION_OVERLAP);
    EXPECT_MESSAGE(&t, "section 2 'beta': offset 8 overlaps");
    RESTORE();
    EXPECT_EQ(reopen(&t), MOD_OK);
#undef RESTORE
    free(t.data);
}

HTEST(image_builder_refuses_bad_sections)
{
    struct mod_error err;
    setup_keys();
    ASSERT_EQ(mod_builder_start(&builder, "core", 4, 1, &key, &err), MOD_OK);
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_MODULE, "core", 1, "x", 1, &key, &err),
              MOD_E_IMAGE_DUPLICATE_NAME);
    EXPECT_NOT_NULL(strstr(err.message, "section 'core'"));
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_MODULE, "", 1, "x", 1, &key, &err),
              MOD_E_IMAGE_SECTION_NAME);
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_MODULE, "a-name-that-is-far-too-long-for-it", 1,
                              "x", 1, &key, &err),
              MOD_E_IMAGE_SECTION_NAME);
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_CONFIG, "c1", 1, "", 0, &key, &err), MOD_OK);
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_CONFIG, "c2", 1, "", 0, &key, &err),
              MOD_E_IMAGE_SECTION_TYPE);
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_CORE, "core2", 1, "", 0, &key, &err),
              MOD_E_IMAGE_SECTION_TYPE);
    mod_builder_free(&builder);
}

HTEST(image_append_keeps_the_other_sections_valid)
{
    struct test_image t, appended;
    struct mod_image_section before, after;
    size_t size;
    setup_keys();
    ASSERT_TRUE(build_image(&t, 0));
    ASSERT_EQ(reopen(&t), MOD_OK);
    uint8_t *module = modtest_load("reloc_got.o", &size);
    ASSERT_NOT_NULL(module);
    ASSERT_EQ(mod_builder_reopen(&builder, t.data, t.size, &t.err), MOD_OK);
    ASSERT_EQ(mod_builder_add(&builder, MOD_SECTION_MODULE, "gamma", 1u << 16, module, size, &key,
                              &t.err),
              MOD_OK);
    EXPECT_EQ(mod_builder_add(&builder, MOD_SECTION_MODULE, "alpha", 1u << 16, module, size, &key,
                              &t.err),
              MOD_E_IMAGE_DUPLICATE_NAME);
    appended.data = mod_builder_finish(&builder, &appended.size);
    mod_builder_free(&builder);
    ASSERT_EQ(reopen(&appended), MOD_OK);
    ASSERT_EQ(appended.image.section_count, 5u);
    for (uint32_t i = 0; i < 4; i++) {
        mod_image_section(&t.image, i, &before);
        mod_image_section(&appended.image, i, &after);
        EXPECT_STREQ(after.name, before.name);
        EXPECT_EQ(after.offset, before.offset);
        EXPECT_EQ(after.size, before.size);
        EXPECT_MEM_EQ(after.content, before.content, before.size);
        EXPECT_EQ(verify(&appended, after.name, &key), MOD_OK);
    }
    EXPECT_EQ(verify(&appended, "gamma", &key), MOD_OK);
    mod_image_section(&appended.image, 4, &after);
    EXPECT_MEM_EQ(after.content, module, size);
    free(module);
    free(t.data);
    free(appended.data);
}

HTEST(image_signing_key_loads_from_pem_and_der_forms)
{
    /* the round trip of mod_sign_load_public_key through its raw form */
    uint8_t pub[65];
    struct mod_error err;
    setup_keys();
    EXPECT_EQ(mod_sign_load_public_key(pub, key.public_key, 65, &err), MOD_OK);
    EXPECT_MEM_EQ(pub, key.public_key, 65);
    EXPECT_EQ(mod_sign_load_public_key(pub, "nonsense", 8, &err), MOD_E_KEY);
    EXPECT_EQ(mod_sign_load_key(&other_key, "-----BEGIN NOTHING-----\n", 24, &err), MOD_E_KEY);
}

HTEST(image_config_lists_load_directives)
{
    struct mod_config_cursor c;
    struct mod_error err;
    char name[MOD_IMAGE_NAME_SIZE];
    const char text[] = "# comment\n\n  load console  \nload\tclock\r\nload x";
    mod_config_begin(&c, text, sizeof(text) - 1);
    ASSERT_EQ(mod_config_next(&c, name, &err), MOD_OK);
    EXPECT_STREQ(name, "console");
    EXPECT_EQ(c.line, 3u);
    ASSERT_EQ(mod_config_next(&c, name, &err), MOD_OK);
    EXPECT_STREQ(name, "clock");
    ASSERT_EQ(mod_config_next(&c, name, &err), MOD_OK);
    EXPECT_STREQ(name, "x");
    EXPECT_EQ(mod_config_next(&c, name, &err), MOD_E_NOT_FOUND);
    static const char *bad[] = { "unload x\n", "load\n", "load a b\n", "load a/b\n",
                                 "load aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mod_config_begin(&c, bad[i], strlen(bad[i]));
        EXPECT_EQ(mod_config_next(&c, name, &err), MOD_E_CONFIG);
        EXPECT_NOT_NULL(strstr(err.message, "line 1"));
    }
}
