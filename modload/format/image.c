/* image.c — reader and encoders of the image trailer (see image.h). The
 * order of checks in mod_image_open() matters: the footer first, then the
 * table's position, then each entry, so that no read happens before the
 * bytes it touches are known to exist. */
#include "modload/format/image.h"
#include "modload/format/le.h"
#include <string.h>

const char *mod_section_type_name(uint32_t type)
{
    switch (type) {
    case MOD_SECTION_CORE:
        return "core";
    case MOD_SECTION_MODULE:
        return "module";
    case MOD_SECTION_CONFIG:
        return "config";
    case MOD_SECTION_PROGRAM:
        return "program";
    default:
        return "unknown";
    }
}

int mod_image_name_ok(const char *name)
{
    size_t n = 0;
    for (; name[n]; n++) {
        char c = name[n];
        if (n >= MOD_IMAGE_NAME_SIZE - 1)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return n > 0;
}

/* Decodes the 176-byte entry at p (index i); content is left NULL. */
static void decode_entry(const uint8_t *p, uint32_t i, struct mod_image_section *s)
{
    memset(s, 0, sizeof(*s));
    s->index = i;
    s->type = le_read32(p);
    s->flags = le_read32(p + 4);
    s->version = le_read32(p + 8);
    s->signature_size = le_read16(p + 12);
    s->offset = le_read64(p + 16);
    s->size = le_read64(p + 24);
    memcpy(s->name, p + 32, MOD_IMAGE_NAME_SIZE);
    s->name[MOD_IMAGE_NAME_SIZE - 1] = 0;
    memcpy(s->sha256, p + 64, 32);
    if (s->signature_size <= MOD_IMAGE_SIGNATURE_MAX)
        memcpy(s->signature, p + 96, s->signature_size);
}

void mod_image_section(const struct mod_image *image, uint32_t index, struct mod_image_section *s)
{
    decode_entry(image->data + image->table_offset + (uint64_t)index * MOD_IMAGE_ENTRY_SIZE, index,
                 s);
    if (mod_range_ok(s->offset, s->size, image->size))
        s->content = image->data + s->offset;
}

/* Copies a name into a zeroed 32-byte field (at most 31 characters). */
static void put_name(uint8_t *field, const char *name)
{
    memcpy(field, name, strnlen(name, MOD_IMAGE_NAME_SIZE - 1));
}

static int all_zero(const uint8_t *p, size_t n)
{
    while (n--)
        if (*p++)
            return 0;
    return 1;
}

/* Fields of the entry at p on their own: name, type, reserved bytes (not
 * bounds, which depend on the container). */
static enum mod_status check_entry_fields(const uint8_t *p, uint32_t i,
                                          const struct mod_image_section *s, struct mod_error *err)
{
    size_t name_len = strnlen((const char *)p + 32, MOD_IMAGE_NAME_SIZE);
    if (name_len == MOD_IMAGE_NAME_SIZE || !mod_image_name_ok(s->name) ||
        !all_zero(p + 32 + name_len, MOD_IMAGE_NAME_SIZE - name_len))
        return mod_fail(
            err, MOD_E_IMAGE_SECTION_NAME,
            "section %u: name is empty, unterminated, not NUL-padded or has characters outside [A-Za-z0-9_.-]",
            i);
    if (s->type < MOD_SECTION_CORE || s->type > MOD_SECTION_PROGRAM)
        return mod_fail(err, MOD_E_IMAGE_SECTION_TYPE, "section %u '%s': unknown type %u", i,
                        s->name, s->type);
    uint32_t allowed = s->type == MOD_SECTION_MODULE ? MOD_SECTION_FLAGS_KNOWN : 0;
    if ((s->flags & ~allowed) != 0 || le_read16(p + 14) != 0 || !all_zero(p + 168, 8))
        return mod_fail(err, MOD_E_IMAGE_RESERVED,
                        "section %u '%s': unknown flags 0x%x or reserved bytes set", i, s->name,
                        s->flags);
    if (s->signature_size > MOD_IMAGE_SIGNATURE_MAX ||
        !all_zero(p + 96 + s->signature_size, MOD_IMAGE_SIGNATURE_MAX - s->signature_size))
        return mod_fail(err, MOD_E_IMAGE_RESERVED,
                        "section %u '%s': signature size %u above %d or not zero-padded", i,
                        s->name, s->signature_size, MOD_IMAGE_SIGNATURE_MAX);
    return MOD_OK;
}

/* One entry of an image table: its fields, then its bounds. */
static enum mod_status check_entry(const struct mod_image *image, uint32_t i,
                                   const struct mod_image_section *s, struct mod_error *err)
{
    const uint8_t *p = image->data + image->table_offset + (uint64_t)i * MOD_IMAGE_ENTRY_SIZE;
    enum mod_status st = check_entry_fields(p, i, s, err);
    if (st)
        return st;
    if (!mod_range_ok(s->offset, s->size, image->table_offset))
        return mod_fail(
            err, MOD_E_IMAGE_SECTION_BOUNDS,
            "section %u '%s': offset %llu size %llu outside the content area (%llu bytes)", i,
            s->name, (unsigned long long)s->offset, (unsigned long long)s->size,
            (unsigned long long)image->table_offset);
    if (s->type == MOD_SECTION_CORE && (i != 0 || s->offset != 0))
        return mod_fail(err, MOD_E_IMAGE_SECTION_TYPE,
                        "section %u '%s': the core must be entry 0 at offset 0", i, s->name);
    return MOD_OK;
}

/* Relations between entries: offset order, overlap, names, one config. */
static enum mod_status check_relations(const struct mod_image *image, uint32_t i,
                                       const struct mod_image_section *s, uint64_t *content_end,
                                       uint32_t *configs, struct mod_error *err)
{
    if (s->offset < *content_end)
        return mod_fail(err, MOD_E_IMAGE_SECTION_OVERLAP,
                        "section %u '%s': offset %llu overlaps the previous section (ends at %llu)",
                        i, s->name, (unsigned long long)s->offset,
                        (unsigned long long)*content_end);
    *content_end = s->offset + s->size;
    if (s->type == MOD_SECTION_CONFIG && ++*configs > 1)
        return mod_fail(err, MOD_E_IMAGE_SECTION_TYPE, "section %u '%s': second boot configuration",
                        i, s->name);
    for (uint32_t j = 0; j < i; j++) {
        const uint8_t *q =
            image->data + image->table_offset + (uint64_t)j * MOD_IMAGE_ENTRY_SIZE + 32;
        if (memcmp(q, s->name, MOD_IMAGE_NAME_SIZE) == 0)
            return mod_fail(err, MOD_E_IMAGE_DUPLICATE_NAME,
                            "section %u '%s': same name as section %u", i, s->name, j);
    }
    return MOD_OK;
}

static enum mod_status check_footer(struct mod_image *image, struct mod_error *err)
{
    if (image->size < MOD_IMAGE_FOOTER_SIZE)
        return mod_fail(err, MOD_E_IMAGE_TRUNCATED,
                        "image of %llu bytes is shorter than the %d-byte footer",
                        (unsigned long long)image->size, MOD_IMAGE_FOOTER_SIZE);
    const uint8_t *f = image->data + image->size - MOD_IMAGE_FOOTER_SIZE;
    if (memcmp(f + 24, MOD_IMAGE_MAGIC, 8) != 0)
        return mod_fail(err, MOD_E_IMAGE_MAGIC,
                        "no image trailer (footer magic missing: truncated or not an image)");
    uint32_t count = le_read32(f + 8), entry_size = le_read32(f + 12);
    uint32_t version = le_read32(f + 16), reserved = le_read32(f + 20);
    if (version != MOD_IMAGE_VERSION || entry_size != MOD_IMAGE_ENTRY_SIZE)
        return mod_fail(
            err, MOD_E_IMAGE_VERSION,
            "image version %u entry size %u: this reader knows version %d, entry size %d", version,
            entry_size, MOD_IMAGE_VERSION, MOD_IMAGE_ENTRY_SIZE);
    if (reserved)
        return mod_fail(err, MOD_E_IMAGE_RESERVED, "footer reserved field is 0x%x", reserved);
    if (count == 0 || count > MOD_IMAGE_MAX_SECTIONS)
        return mod_fail(err, MOD_E_IMAGE_TABLE, "section count %u not in 1..%d", count,
                        MOD_IMAGE_MAX_SECTIONS);
    uint64_t table_offset = le_read64(f), table_end = image->size - MOD_IMAGE_FOOTER_SIZE;
    uint64_t table_size = (uint64_t)count * MOD_IMAGE_ENTRY_SIZE;
    if (table_offset > table_end || table_end - table_offset != table_size)
        return mod_fail(err, table_offset > table_end ? MOD_E_IMAGE_TRUNCATED : MOD_E_IMAGE_TABLE,
                        "section table at %llu (%u entries) does not end at the footer (%llu)",
                        (unsigned long long)table_offset, count, (unsigned long long)table_end);
    image->table_offset = table_offset;
    image->section_count = count;
    return MOD_OK;
}

enum mod_status mod_image_open(struct mod_image *image, const void *data, size_t size,
                               struct mod_error *err)
{
    struct mod_image_section s;
    enum mod_status st;
    uint64_t content_end = 0;
    uint32_t configs = 0;

    memset(image, 0, sizeof(*image));
    image->data = data;
    image->size = size;
    if ((st = check_footer(image, err)))
        return st;
    for (uint32_t i = 0; i < image->section_count; i++) {
        mod_image_section(image, i, &s);
        if ((st = check_entry(image, i, &s, err)) ||
            (st = check_relations(image, i, &s, &content_end, &configs, err)))
            return st;
    }
    return MOD_OK;
}

enum mod_status mod_image_find(const struct mod_image *image, const char *name,
                               struct mod_image_section *out)
{
    for (uint32_t i = 0; i < image->section_count; i++) {
        mod_image_section(image, i, out);
        if (strcmp(out->name, name) == 0)
            return MOD_OK;
    }
    return MOD_E_NOT_FOUND;
}

void mod_image_signed_header(const struct mod_image_section *s, uint8_t out[MOD_IMAGE_SIGNED_SIZE])
{
    memset(out, 0, MOD_IMAGE_SIGNED_SIZE);
    memcpy(out, MOD_IMAGE_SIGNED_MAGIC, sizeof(MOD_IMAGE_SIGNED_MAGIC));
    le_write(out + 16, s->type, 4);
    le_write(out + 20, s->flags, 4);
    le_write(out + 24, s->version, 4);
    le_write(out + 32, s->size, 8);
    put_name(out + 40, s->name);
    memcpy(out + 72, s->sha256, 32);
}

void mod_image_encode_entry(const struct mod_image_section *s, uint8_t out[MOD_IMAGE_ENTRY_SIZE])
{
    memset(out, 0, MOD_IMAGE_ENTRY_SIZE);
    le_write(out, s->type, 4);
    le_write(out + 4, s->flags, 4);
    le_write(out + 8, s->version, 4);
    le_write(out + 12, s->signature_size, 2);
    le_write(out + 16, s->offset, 8);
    le_write(out + 24, s->size, 8);
    put_name(out + 32, s->name);
    memcpy(out + 64, s->sha256, 32);
    if (s->signature_size <= MOD_IMAGE_SIGNATURE_MAX)
        memcpy(out + 96, s->signature, s->signature_size);
}

void mod_image_encode_footer(uint64_t table_offset, uint32_t section_count,
                             uint8_t out[MOD_IMAGE_FOOTER_SIZE])
{
    memset(out, 0, MOD_IMAGE_FOOTER_SIZE);
    le_write(out, table_offset, 8);
    le_write(out + 8, section_count, 4);
    le_write(out + 12, MOD_IMAGE_ENTRY_SIZE, 4);
    le_write(out + 16, MOD_IMAGE_VERSION, 4);
    memcpy(out + 24, MOD_IMAGE_MAGIC, 8);
}

enum mod_status mod_section_file_open(const void *data, size_t size, struct mod_image_section *out,
                                      struct mod_error *err)
{
    const uint8_t *p = data;
    enum mod_status st;
    memset(out, 0, sizeof(*out));
    if (size < MOD_SECTION_FILE_HEADER)
        return mod_fail(err, MOD_E_IMAGE_TRUNCATED,
                        "section file of %zu bytes is shorter than its %d-byte entry", size,
                        MOD_SECTION_FILE_HEADER);
    decode_entry(p, 0, out);
    if ((st = check_entry_fields(p, 0, out, err)))
        return st;
    if (out->type != MOD_SECTION_MODULE)
        return mod_fail(err, MOD_E_IMAGE_SECTION_TYPE,
                        "section file '%s': type %s (%u), only a module can be pushed", out->name,
                        mod_section_type_name(out->type), out->type);
    if (out->offset != MOD_SECTION_FILE_HEADER)
        return mod_fail(err, MOD_E_IMAGE_SECTION_BOUNDS,
                        "section file '%s': content offset %llu, expected %d", out->name,
                        (unsigned long long)out->offset, MOD_SECTION_FILE_HEADER);
    if (out->size != size - MOD_SECTION_FILE_HEADER)
        return mod_fail(err,
                        out->size > size - MOD_SECTION_FILE_HEADER ? MOD_E_IMAGE_TRUNCATED
                                                                   : MOD_E_IMAGE_SECTION_BOUNDS,
                        "section file '%s': entry says %llu content bytes, the file has %llu",
                        out->name, (unsigned long long)out->size,
                        (unsigned long long)(size - MOD_SECTION_FILE_HEADER));
    out->content = p + MOD_SECTION_FILE_HEADER;
    return MOD_OK;
}

void mod_section_file_encode_header(const struct mod_image_section *section,
                                    uint8_t out[MOD_SECTION_FILE_HEADER])
{
    struct mod_image_section s = *section;
    s.offset = MOD_SECTION_FILE_HEADER;
    mod_image_encode_entry(&s, out);
}
