/* builder.h — writes image trailers (host tool and host tests only: uses
 * malloc). A builder holds the bytes before the table and the entries; it
 * either starts from a core ELF or reopens an image, whose section contents
 * then stay at their offsets (appending never moves or re-signs them). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "modload/format/image.h"
#include "modload/tools/sign.h"

struct mod_image_builder {
    uint8_t *data; /* content area (core + sections) */
    size_t size, capacity;
    struct mod_image_section sections[MOD_IMAGE_MAX_SECTIONS];
    uint32_t count;
};

/* Starts an image with the core ELF as section 0, named "core". */
enum mod_status mod_builder_start(struct mod_image_builder *b, const void *core, size_t core_size,
                                  uint32_t version, const struct mod_signing_key *key,
                                  struct mod_error *err);

/* Starts from an existing image (its trailer is validated, not verified). */
enum mod_status mod_builder_reopen(struct mod_image_builder *b, const void *image, size_t size,
                                   struct mod_error *err);

/* Appends a section, aligned to MOD_IMAGE_ALIGN; key NULL leaves it
 * unsigned. Refuses bad or duplicate names and a second config. */
enum mod_status mod_builder_add(struct mod_image_builder *b, uint32_t type, const char *name,
                                uint32_t version, const void *content, size_t size,
                                const struct mod_signing_key *key, struct mod_error *err);

/* Returns the finished image (content, table, footer) in a malloc'd
 * buffer owned by the caller; NULL if out of memory. */
uint8_t *mod_builder_finish(const struct mod_image_builder *b, size_t *size);

void mod_builder_free(struct mod_image_builder *b);

/* A standalone section file (image.h) holding one module section with
 * flags (MOD_SECTION_FLAG_*), signed with key (NULL: unsigned). Returns a malloc'd buffer owned by the caller
 * and its size, or NULL with err filled. */
uint8_t *mod_section_file_build(const char *name, uint32_t version, uint32_t flags,
                                const void *content, size_t size, const struct mod_signing_key *key,
                                size_t *file_size, struct mod_error *err);
