/* image.h — the Wisp image trailer: a table of signed sections appended to
 * the core kernel ELF (format: MODULES.md, "The image format").
 *
 *   [ core ELF | section contents ... | section table | footer (32 bytes) ]
 *
 * A reader starts from the end: the footer gives the table's offset and
 * entry count; mod_image_open() validates the footer and every table entry
 * (bounds with overflow-safe arithmetic, types, names, order, duplicates)
 * but not contents. mod_image_verify_section() (verify.c) then checks one
 * section's SHA-256 and ECDSA P-256 signature, so that a bad section can be
 * refused while the others are used.
 *
 * All integers are little-endian. Pure code: no allocation, no locks; the
 * image buffer must stay valid and unchanged while in use.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "modload/format/error.h"

#define MOD_IMAGE_MAGIC         "WISP-IMG" /* 8 bytes, no NUL */
#define MOD_IMAGE_VERSION       1
#define MOD_IMAGE_FOOTER_SIZE   32
#define MOD_IMAGE_ENTRY_SIZE    176
#define MOD_IMAGE_NAME_SIZE     32 /* NUL included: 31 chars max */
#define MOD_IMAGE_SIGNATURE_MAX 72 /* DER ECDSA P-256 */
#define MOD_IMAGE_MAX_SECTIONS  1024
#define MOD_IMAGE_ALIGN         16                /* writers align contents */
#define MOD_IMAGE_SIGNED_SIZE   104               /* signed header, see below */
#define MOD_IMAGE_SIGNED_MAGIC  "WISP-SECTION-V1" /* + NUL = 16 bytes */

enum mod_section_type {
    MOD_SECTION_CORE = 1,    /* the core kernel ELF, at offset 0 */
    MOD_SECTION_MODULE = 2,  /* an ELF64 x86-64 relocatable object */
    MOD_SECTION_CONFIG = 3,  /* boot configuration text (config.h) */
    MOD_SECTION_PROGRAM = 4, /* an ELF64 x86-64 position-independent executable (exec.h) */
};

/* Section flags (signed with the section). ROLLBACK, on a module section
 * only: the developer asked, with the key, that this version may replace
 * a newer one (MODULES.md, "Forward only"). Any other bit is refused. */
#define MOD_SECTION_FLAG_ROLLBACK 0x1u
#define MOD_SECTION_FLAGS_KNOWN   MOD_SECTION_FLAG_ROLLBACK

/* One decoded table entry. content points into the image. */
struct mod_image_section {
    uint32_t index;   /* position in the table */
    uint32_t type;    /* enum mod_section_type */
    uint32_t flags;   /* MOD_SECTION_FLAG_*; none on other than module sections */
    uint32_t version; /* major << 16 | minor */
    char name[MOD_IMAGE_NAME_SIZE];
    uint64_t offset, size;
    uint8_t sha256[32];
    uint16_t signature_size; /* 0: unsigned */
    uint8_t signature[MOD_IMAGE_SIGNATURE_MAX];
    const uint8_t *content;
};

struct mod_image {
    const uint8_t *data;
    uint64_t size;
    uint64_t table_offset; /* also the end of the content area */
    uint32_t section_count;
};

/* Validates the trailer of data[0..size) and fills image. */
enum mod_status mod_image_open(struct mod_image *image, const void *data, size_t size,
                               struct mod_error *err);

/* Decodes entry index (< section_count) of an opened image. */
void mod_image_section(const struct mod_image *image, uint32_t index,
                       struct mod_image_section *out);

/* Finds the section called name: MOD_OK or MOD_E_NOT_FOUND. */
enum mod_status mod_image_find(const struct mod_image *image, const char *name,
                               struct mod_image_section *out);

/* Checks a section name: 1..31 characters from [A-Za-z0-9_.-]. */
int mod_image_name_ok(const char *name);

const char *mod_section_type_name(uint32_t type);

/* The 104-byte header that is signed (SHA-256, then ECDSA P-256):
 * magic "WISP-SECTION-V1\0", type, flags, version, zero (u32 each), size
 * (u64), name (32 bytes, NUL-padded), content SHA-256 (32 bytes). */
void mod_image_signed_header(const struct mod_image_section *section,
                             uint8_t out[MOD_IMAGE_SIGNED_SIZE]);

/* A standalone section file, the payload of a live-update push:
 *
 *   [ one table entry (176 bytes, offset field = 176) | content ]
 *
 * mod_section_file_open() checks the entry as mod_image_open() checks a
 * table entry (name, reserved bytes, signature size), then that its type is
 * MOD_SECTION_MODULE, its offset 176 and its size exactly the rest of the
 * file. Contents are not verified: mod_image_verify_section() does that. On
 * success section->content points into data. */
#define MOD_SECTION_FILE_HEADER MOD_IMAGE_ENTRY_SIZE
enum mod_status mod_section_file_open(const void *data, size_t size,
                                      struct mod_image_section *section, struct mod_error *err);
/* Encodes section's entry for a section file (its offset becomes 176). */
void mod_section_file_encode_header(const struct mod_image_section *section,
                                    uint8_t out[MOD_SECTION_FILE_HEADER]);

/* Encoders used by writers (host tool, tests). */
void mod_image_encode_entry(const struct mod_image_section *section,
                            uint8_t out[MOD_IMAGE_ENTRY_SIZE]);
void mod_image_encode_footer(uint64_t table_offset, uint32_t section_count,
                             uint8_t out[MOD_IMAGE_FOOTER_SIZE]);

/* verify.c: checks the content SHA-256 then the signature against the
 * 65-byte uncompressed P-256 public key (04 || X || Y). Errors name the
 * section: MOD_E_CHECKSUM, MOD_E_UNSIGNED, MOD_E_SIGNATURE, MOD_E_KEY. */
enum mod_status mod_image_verify_section(const struct mod_image_section *section,
                                         const uint8_t public_key[65], struct mod_error *err);

/* The key the core trusts: generated by the build from its development key
 * pair (build/keys/signing-key.c, `wisp-image pubkey --c mod_signing_key`). */
extern const unsigned char mod_signing_key[65];

/* verify.c: SHA-256 of the signed header (the value ECDSA signs). */
void mod_image_signed_digest(const struct mod_image_section *section, uint8_t digest[32]);
/* verify.c: SHA-256 of a buffer. */
void mod_sha256(const void *data, size_t size, uint8_t digest[32]);
