/* sign.c — key loading and section signing on the host (see sign.h). */
#include "modload/tools/sign.h"
#include <bearssl.h>
#include <stdio.h>
#include <string.h>

/* DER prefix of a P-256 SubjectPublicKeyInfo; the 65-byte point follows. */
static const uint8_t p256_spki_prefix[26] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};

struct der_buffer {
    uint8_t data[4096];
    size_t size;
    int overflow;
};

static void der_append(void *context, const void *data, size_t size)
{
    struct der_buffer *b = context;
    if (size > sizeof(b->data) - b->size) {
        b->overflow = 1;
        return;
    }
    memcpy(b->data + b->size, data, size);
    b->size += size;
}

/* Decodes the first PEM object of data into out; returns 0 if none. */
static int pem_first_object(const void *data, size_t size, struct der_buffer *out, char *label,
                            size_t label_size)
{
    br_pem_decoder_context pem;
    const uint8_t *p = data;
    int inside = 0;
    br_pem_decoder_init(&pem);
    out->size = 0;
    out->overflow = 0;
    while (size > 0) {
        size_t used = br_pem_decoder_push(&pem, p, size);
        p += used;
        size -= used;
        switch (br_pem_decoder_event(&pem)) {
        case BR_PEM_BEGIN_OBJ:
            inside = 1;
            snprintf(label, label_size, "%s", br_pem_decoder_name(&pem));
            br_pem_decoder_setdest(&pem, der_append, out);
            break;
        case BR_PEM_END_OBJ:
            return inside && !out->overflow;
        case BR_PEM_ERROR:
            return 0;
        }
    }
    return 0;
}

static int looks_like_pem(const void *data, size_t size)
{
    return size >= 11 && memcmp(data, "-----BEGIN ", 11) == 0;
}

static enum mod_status key_from_der(struct mod_signing_key *key, const void *der, size_t size,
                                    struct mod_error *err)
{
    br_skey_decoder_context dec;
    br_skey_decoder_init(&dec);
    br_skey_decoder_push(&dec, der, size);
    if (br_skey_decoder_last_error(&dec) != 0)
        return mod_fail(err, MOD_E_KEY, "private key: not a valid EC private key (error %d)",
                        br_skey_decoder_last_error(&dec));
    const br_ec_private_key *sk = br_skey_decoder_get_ec(&dec);
    if (!sk || sk->curve != BR_EC_secp256r1 || sk->xlen == 0 || sk->xlen > 32)
        return mod_fail(err, MOD_E_KEY, "private key: not a P-256 (prime256v1) key");
    memset(key->secret, 0, sizeof(key->secret));
    memcpy(key->secret + 32 - sk->xlen, sk->x, sk->xlen);
    br_ec_private_key full = { BR_EC_secp256r1, key->secret, 32 };
    br_ec_public_key pub;
    if (br_ec_compute_pub(&br_ec_p256_m31, &pub, key->public_key, &full) != 65)
        return mod_fail(err, MOD_E_KEY, "private key: cannot derive the public key");
    return MOD_OK;
}

enum mod_status mod_sign_load_key(struct mod_signing_key *key, const void *data, size_t size,
                                  struct mod_error *err)
{
    static struct der_buffer der;
    char label[128];
    if (!looks_like_pem(data, size))
        return key_from_der(key, data, size, err);
    if (!pem_first_object(data, size, &der, label, sizeof(label)))
        return mod_fail(err, MOD_E_KEY, "private key: unreadable PEM");
    if (strcmp(label, "EC PRIVATE KEY") != 0 && strcmp(label, "PRIVATE KEY") != 0)
        return mod_fail(err, MOD_E_KEY, "private key: PEM object '%s' is not a private key", label);
    return key_from_der(key, der.data, der.size, err);
}

enum mod_status mod_sign_load_public_key(uint8_t out[65], const void *data, size_t size,
                                         struct mod_error *err)
{
    static struct der_buffer der;
    struct mod_signing_key key;
    char label[128];
    const uint8_t *p = data;
    if (size == 65 && p[0] == 0x04) {
        memcpy(out, p, 65);
        return MOD_OK;
    }
    if (looks_like_pem(data, size)) {
        if (!pem_first_object(data, size, &der, label, sizeof(label)))
            return mod_fail(err, MOD_E_KEY, "public key: unreadable PEM");
        if (strcmp(label, "PUBLIC KEY") != 0) {
            enum mod_status st = key_from_der(&key, der.data, der.size, err);
            if (st == MOD_OK)
                memcpy(out, key.public_key, 65);
            return st;
        }
        p = der.data;
        size = der.size;
    }
    if (size == sizeof(p256_spki_prefix) + 65 &&
        memcmp(p, p256_spki_prefix, sizeof(p256_spki_prefix)) == 0) {
        memcpy(out, p + sizeof(p256_spki_prefix), 65);
        return MOD_OK;
    }
    if (key_from_der(&key, p, size, NULL) == MOD_OK) {
        memcpy(out, key.public_key, 65);
        return MOD_OK;
    }
    return mod_fail(
        err, MOD_E_KEY,
        "public key: expected a P-256 point (65 bytes), SubjectPublicKeyInfo or private key");
}

void mod_sign_key_from_seed(struct mod_signing_key *key, const void *seed, size_t seed_size)
{
    br_hmac_drbg_context rng;
    br_ec_private_key sk;
    br_ec_public_key pk;
    unsigned char secret[BR_EC_KBUF_PRIV_MAX_SIZE];
    br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, seed_size);
    br_ec_keygen(&rng.vtable, &br_ec_p256_m31, &sk, secret, BR_EC_secp256r1);
    memset(key->secret, 0, sizeof(key->secret));
    memcpy(key->secret + 32 - sk.xlen, sk.x, sk.xlen);
    br_ec_compute_pub(&br_ec_p256_m31, &pk, key->public_key, &sk);
}

enum mod_status mod_sign_section(struct mod_image_section *section,
                                 const struct mod_signing_key *key, struct mod_error *err)
{
    uint8_t digest[32];
    br_ec_private_key sk = { BR_EC_secp256r1, (unsigned char *)key->secret, 32 };
    mod_image_signed_digest(section, digest);
    memset(section->signature, 0, sizeof(section->signature));
    size_t n =
        br_ecdsa_i31_sign_asn1(&br_ec_p256_m31, &br_sha256_vtable, digest, &sk, section->signature);
    if (n == 0 || n > MOD_IMAGE_SIGNATURE_MAX)
        return mod_fail(err, MOD_E_KEY, "section '%s': signing failed", section->name);
    section->signature_size = (uint16_t)n;
    return MOD_OK;
}
