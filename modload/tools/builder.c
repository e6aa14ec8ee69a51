/* builder.c — image trailer writer (see builder.h). */
#include "modload/tools/builder.h"
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int reserve(struct mod_image_builder *b, size_t more)
{
    if (more <= b->capacity - b->size)
        return 1;
    size_t capacity = b->capacity ? b->capacity : 4096;
    while (capacity - b->size < more) {
        if (capacity > SIZE_MAX / 2)
            return 0;
        capacity *= 2;
    }
    uint8_t *data = realloc(b->data, capacity);
    if (!data)
        return 0;
    b->data = data;
    b->capacity = capacity;
    return 1;
}

static enum mod_status append(struct mod_image_builder *b, const void *bytes, size_t size,
                              size_t align, size_t *offset, struct mod_error *err)
{
    size_t pad = (align - b->size % align) % align;
    if (size > SIZE_MAX - pad || !reserve(b, pad + size))
        return mod_fail(err, MOD_E_NO_MEMORY, "out of memory for %zu bytes", size);
    memset(b->data + b->size, 0, pad);
    b->size += pad;
    *offset = b->size;
    if (size)
        memcpy(b->data + b->size, bytes, size);
    b->size += size;
    return MOD_OK;
}

enum mod_status mod_builder_add(struct mod_image_builder *b, uint32_t type, const char *name,
                                uint32_t version, const void *content, size_t size,
                                const struct mod_signing_key *key, struct mod_error *err)
{
    enum mod_status st;
    size_t offset = 0;
    if (!mod_image_name_ok(name))
        return mod_fail(err, MOD_E_IMAGE_SECTION_NAME,
                        "section '%s': name must be 1..31 characters from [A-Za-z0-9_.-]", name);
    if (b->count == MOD_IMAGE_MAX_SECTIONS)
        return mod_fail(err, MOD_E_IMAGE_TABLE, "section '%s': image already has %d sections", name,
                        MOD_IMAGE_MAX_SECTIONS);
    for (uint32_t i = 0; i < b->count; i++) {
        if (strcmp(b->sections[i].name, name) == 0)
            return mod_fail(err, MOD_E_IMAGE_DUPLICATE_NAME,
                            "section '%s': the image already has a section of that name", name);
        if (type == MOD_SECTION_CONFIG && b->sections[i].type == MOD_SECTION_CONFIG)
            return mod_fail(err, MOD_E_IMAGE_SECTION_TYPE,
                            "section '%s': the image already has a boot configuration ('%s')", name,
                            b->sections[i].name);
    }
    if (type == MOD_SECTION_CORE && (b->count != 0 || b->size != 0))
        return mod_fail(err, MOD_E_IMAGE_SECTION_TYPE,
                        "section '%s': the core must be the first section", name);
    if ((st = append(b, content, size, type == MOD_SECTION_CORE ? 1 : MOD_IMAGE_ALIGN, &offset,
                     err)))
        return st;
    struct mod_image_section *s = &b->sections[b->count];
    memset(s, 0, sizeof(*s));
    s->index = b->count;
    s->type = type;
    s->version = version;
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->offset = offset;
    s->size = size;
    mod_sha256(content, size, s->sha256);
    if (key && (st = mod_sign_section(s, key, err)))
        return st;
    b->count++;
    return MOD_OK;
}

enum mod_status mod_builder_start(struct mod_image_builder *b, const void *core, size_t core_size,
                                  uint32_t version, const struct mod_signing_key *key,
                                  struct mod_error *err)
{
    memset(b, 0, sizeof(*b));
    return mod_builder_add(b, MOD_SECTION_CORE, "core", version, core, core_size, key, err);
}

enum mod_status mod_builder_reopen(struct mod_image_builder *b, const void *data, size_t size,
                                   struct mod_error *err)
{
    struct mod_image image;
    enum mod_status st;
    memset(b, 0, sizeof(*b));
    if ((st = mod_image_open(&image, data, size, err)))
        return st;
    if (!reserve(b, image.table_offset))
        return mod_fail(err, MOD_E_NO_MEMORY, "out of memory");
    memcpy(b->data, data, image.table_offset);
    b->size = image.table_offset;
    for (uint32_t i = 0; i < image.section_count; i++) {
        mod_image_section(&image, i, &b->sections[i]);
        b->sections[i].content = NULL;
    }
    b->count = image.section_count;
    return MOD_OK;
}

uint8_t *mod_builder_finish(const struct mod_image_builder *b, size_t *size)
{
    size_t total = b->size + (size_t)b->count * MOD_IMAGE_ENTRY_SIZE + MOD_IMAGE_FOOTER_SIZE;
    uint8_t *out = malloc(total);
    if (!out)
        return NULL;
    memcpy(out, b->data, b->size);
    for (uint32_t i = 0; i < b->count; i++)
        mod_image_encode_entry(&b->sections[i], out + b->size + (size_t)i * MOD_IMAGE_ENTRY_SIZE);
    mod_image_encode_footer(b->size, b->count, out + total - MOD_IMAGE_FOOTER_SIZE);
    *size = total;
    return out;
}

void mod_builder_free(struct mod_image_builder *b)
{
    free(b->data);
    b->data = NULL;
    b->size = b->capacity = 0;
    b->count = 0;
}

uint8_t *mod_section_file_build(const char *name, uint32_t version, uint32_t flags,
                                const void *content, size_t size, const struct mod_signing_key *key,
                                size_t *file_size, struct mod_error *err)
{
    struct mod_image_section s;
    memset(&s, 0, sizeof(s));
    if (!mod_image_name_ok(name)) {
        mod_fail(err, MOD_E_IMAGE_SECTION_NAME,
                 "section '%s': name must be 1..31 characters from [A-Za-z0-9_.-]", name);
        return NULL;
    }
    s.type = MOD_SECTION_MODULE;
    s.version = version;
    s.flags = flags;
    snprintf(s.name, sizeof(s.name), "%s", name);
    s.size = size;
    mod_sha256(content, size, s.sha256);
    if (key && mod_sign_section(&s, key, err))
        return NULL;
    uint8_t *out = malloc(MOD_SECTION_FILE_HEADER + size);
    if (!out) {
        mod_fail(err, MOD_E_NO_MEMORY, "out of memory for %zu bytes", size);
        return NULL;
    }
    mod_section_file_encode_header(&s, out);
    if (size)
        memcpy(out + MOD_SECTION_FILE_HEADER, content, size);
    *file_size = MOD_SECTION_FILE_HEADER + size;
    return out;
}
