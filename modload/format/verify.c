/* verify.c — SHA-256 and ECDSA P-256 verification of image sections with
 * BearSSL (built from Debian's source; freestanding in the kernel). No
 * allocation; uses about 2 KiB of stack inside BearSSL. */
#include "modload/format/image.h"
#include <bearssl_ec.h>
#include <bearssl_hash.h>
#include <string.h>

void mod_sha256(const void *data, size_t size, uint8_t digest[32])
{
    br_sha256_context ctx;
    br_sha256_init(&ctx);
    br_sha256_update(&ctx, data, size);
    br_sha256_out(&ctx, digest);
}

void mod_image_signed_digest(const struct mod_image_section *section, uint8_t digest[32])
{
    uint8_t header[MOD_IMAGE_SIGNED_SIZE];
    mod_image_signed_header(section, header);
    mod_sha256(header, sizeof(header), digest);
}

enum mod_status mod_image_verify_section(const struct mod_image_section *s,
                                         const uint8_t public_key[65], struct mod_error *err)
{
    uint8_t digest[32];
    if (!s->content)
        return mod_fail(err, MOD_E_IMAGE_SECTION_BOUNDS, "section '%s': content outside the image",
                        s->name);
    mod_sha256(s->content, s->size, digest);
    if (memcmp(digest, s->sha256, 32) != 0)
        return mod_fail(err, MOD_E_CHECKSUM,
                        "section '%s': checksum mismatch (content SHA-256 differs from the table)",
                        s->name);
    if (s->signature_size == 0)
        return mod_fail(err, MOD_E_UNSIGNED, "section '%s': unsigned", s->name);
    if (!public_key || public_key[0] != 0x04)
        return mod_fail(err, MOD_E_KEY, "section '%s': no valid public key to verify with",
                        s->name);
    br_ec_public_key pub = {
        .curve = BR_EC_secp256r1,
        .q = (unsigned char *)public_key,
        .qlen = 65,
    };
    mod_image_signed_digest(s, digest);
    if (br_ecdsa_i31_vrfy_asn1(&br_ec_p256_m31, digest, sizeof(digest), &pub, s->signature,
                               s->signature_size) != 1)
        return mod_fail(err, MOD_E_SIGNATURE,
                        "section '%s': bad signature (not signed by the built-in key, or altered)",
                        s->name);
    return MOD_OK;
}
