/* sign.h — host side of image signing: loading keys and signing sections
 * with BearSSL's ECDSA P-256 (deterministic, RFC 6979). Host tool and host
 * tests only; the kernel only verifies (verify.c). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "modload/format/error.h"
#include "modload/format/image.h"

struct mod_signing_key {
    uint8_t secret[32];     /* P-256 private scalar, big-endian */
    uint8_t public_key[65]; /* 04 || X || Y */
};

/* Private key in PEM ("EC PRIVATE KEY" or "PRIVATE KEY", as written by
 * `openssl ecparam -genkey`) or DER; must be on P-256. */
enum mod_status mod_sign_load_key(struct mod_signing_key *key, const void *data, size_t size,
                                  struct mod_error *err);

/* Public key from a raw 65-byte point, a DER or PEM SubjectPublicKeyInfo
 * ("PUBLIC KEY", `openssl ec -pubout`), or a private key as above. */
enum mod_status mod_sign_load_public_key(uint8_t out[65], const void *data, size_t size,
                                         struct mod_error *err);

/* Deterministic key from a seed (tests; not for real signing). */
void mod_sign_key_from_seed(struct mod_signing_key *key, const void *seed, size_t seed_size);

/* Fills section->signature/signature_size from its signed header (type,
 * flags, version, size, name and sha256 must be set). */
enum mod_status mod_sign_section(struct mod_image_section *section,
                                 const struct mod_signing_key *key, struct mod_error *err);
