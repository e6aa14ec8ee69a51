/* protocol.c — update frames: CRC-32, byte stuffing, header encode/decode,
 * and the payload layouts of START, NAK, ABORT and VERDICT (PROTOCOL.md).
 *
 * Pure code for kernel and host; no allocation, no I/O.
 */
#include "updater/protocol.h"
#include <string.h>

/* CRC-32 of IEEE 802.3 (reflected, polynomial 0xEDB88320), as zlib computes it. */
static const uint32_t crc32_table[256] = {
    0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f, 0xe963a535, 0x9e6495a3,
    0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988, 0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91,
    0x1db71064, 0x6ab020f2, 0xf3b97148, 0x84be41de, 0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
    0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec, 0x14015c4f, 0x63066cd9, 0xfa0f3d63, 0x8d080df5,
    0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172, 0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b,
    0x35b5a8fa, 0x42b2986c, 0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
    0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423, 0xcfba9599, 0xb8bda50f,
    0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924, 0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d,
    0x76dc4190, 0x01db7106, 0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
    0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb, 0x086d3d2d, 0x91646c97, 0xe6635c01,
    0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e, 0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457,
    0x65b0d9c6, 0x12b7e950, 0x8bbeb8ea, 0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
    0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7, 0xa4d1c46d, 0xd3d6f4fb,
    0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0, 0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9,
    0x5005713c, 0x270241aa, 0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
    0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81, 0xb7bd5c3b, 0xc0ba6cad,
    0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a, 0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683,
    0xe3630b12, 0x94643b84, 0x0d6d6a3e, 0x7a6a5aa8, 0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
    0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe, 0xf762575d, 0x806567cb, 0x196c3671, 0x6e6b06e7,
    0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc, 0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5,
    0xd6d6a3e8, 0xa1d1937e, 0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
    0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55, 0x316e8eef, 0x4669be79,
    0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236, 0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f,
    0xc5ba3bbe, 0xb2bd0b28, 0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
    0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a, 0x9c0906a9, 0xeb0e363f, 0x72076785, 0x05005713,
    0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38, 0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21,
    0x86d3d2d4, 0xf1d4e242, 0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
    0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69, 0x616bffd3, 0x166ccf45,
    0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2, 0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db,
    0xaed16a4a, 0xd9d65adc, 0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
    0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605, 0xcdd70693, 0x54de5729, 0x23d967bf,
    0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94, 0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};

uint32_t upd_crc32(uint32_t crc, const void *data, size_t length)
{
    const uint8_t *p = data;
    crc = ~crc;
    while (length--)
        crc = crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

void upd_put_u32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
    p[2] = (uint8_t)(value >> 16);
    p[3] = (uint8_t)(value >> 24);
}

uint32_t upd_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u16(uint8_t *p, uint16_t value)
{
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static const char *const reason_names[UPD_REASON_COUNT] = {
    [UPD_OK] = "ok",
    [UPD_FRAME_SHORT] = "frame-short",
    [UPD_FRAME_LONG] = "frame-long",
    [UPD_BAD_ESCAPE] = "bad-escape",
    [UPD_BAD_CRC] = "bad-crc",
    [UPD_BAD_VERSION] = "bad-version",
    [UPD_BAD_LENGTH] = "bad-length",
    [UPD_BAD_TYPE] = "bad-type",
    [UPD_NO_TRANSFER] = "no-transfer",
    [UPD_WRONG_TRANSFER] = "wrong-transfer",
    [UPD_DUPLICATE] = "duplicate",
    [UPD_OUT_OF_ORDER] = "out-of-order",
    [UPD_BAD_OFFSET] = "bad-offset",
    [UPD_TOO_LARGE] = "too-large",
    [UPD_BAD_START] = "bad-start",
    [UPD_BUSY] = "busy",
    [UPD_SIZE_MISMATCH] = "size-mismatch",
    [UPD_HASH_MISMATCH] = "hash-mismatch",
    [UPD_TIMEOUT] = "timeout",
    [UPD_ABORTED] = "aborted",
    [UPD_TX_FULL] = "tx-full",
    [UPD_DISCONNECTED] = "disconnected",
};

const char *upd_reason_name(enum upd_reason reason)
{
    if ((unsigned)reason < UPD_REASON_COUNT)
        return reason_names[reason];
    return "unknown";
}

const char *upd_frame_type_name(uint8_t type)
{
    switch (type) {
    case UPD_START:
        return "START";
    case UPD_DATA:
        return "DATA";
    case UPD_END:
        return "END";
    case UPD_ABORT:
        return "ABORT";
    case UPD_ACK:
        return "ACK";
    case UPD_NAK:
        return "NAK";
    case UPD_VERDICT:
        return "VERDICT";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- encode */

struct stuffer {
    uint8_t *out;
    size_t capacity, length;
    bool overflow;
};

static void stuff_raw(struct stuffer *s, uint8_t byte)
{
    if (s->length >= s->capacity) {
        s->overflow = true;
        return;
    }
    s->out[s->length++] = byte;
}

static void stuff(struct stuffer *s, const uint8_t *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        if (bytes[i] == UPD_FLAG || bytes[i] == UPD_ESCAPE) {
            stuff_raw(s, UPD_ESCAPE);
            stuff_raw(s, bytes[i] ^ UPD_ESCAPE_XOR);
        } else {
            stuff_raw(s, bytes[i]);
        }
    }
}

size_t upd_frame_encode(const struct upd_frame *frame, uint8_t *out, size_t capacity)
{
    uint8_t header[UPD_HEADER_SIZE], crc_bytes[UPD_CRC_SIZE];
    struct stuffer s = { out, capacity, 0, false };

    if (frame->length > UPD_PAYLOAD_MAX || (frame->length && !frame->payload))
        return 0;
    header[0] = UPD_VERSION;
    header[1] = frame->type;
    put_u16(header + 2, frame->length);
    upd_put_u32(header + 4, frame->transfer_id);
    upd_put_u32(header + 8, frame->seq);
    uint32_t crc = upd_crc32(0, header, sizeof(header));
    if (frame->length)
        crc = upd_crc32(crc, frame->payload, frame->length);
    upd_put_u32(crc_bytes, crc);

    stuff_raw(&s, UPD_FLAG);
    stuff(&s, header, sizeof(header));
    if (frame->length)
        stuff(&s, frame->payload, frame->length);
    stuff(&s, crc_bytes, sizeof(crc_bytes));
    stuff_raw(&s, UPD_FLAG);
    return s.overflow ? 0 : s.length;
}

/* ---------------------------------------------------------------- decode */

void upd_decoder_init(struct upd_decoder *decoder)
{
    decoder->length = 0;
    decoder->escaped = false;
    decoder->discarding = false;
}

static bool known_type(uint8_t type)
{
    return type == UPD_START || type == UPD_DATA || type == UPD_END || type == UPD_ABORT ||
           type == UPD_ACK || type == UPD_NAK || type == UPD_VERDICT;
}

/* Checks a complete unstuffed body; fills frame when it is sound. */
static enum upd_reason check_body(const uint8_t *body, uint32_t length, struct upd_frame *frame)
{
    if (length < UPD_HEADER_SIZE + UPD_CRC_SIZE)
        return UPD_FRAME_SHORT;
    uint32_t covered = length - UPD_CRC_SIZE;
    if (upd_crc32(0, body, covered) != upd_get_u32(body + covered))
        return UPD_BAD_CRC;
    if (body[0] != UPD_VERSION)
        return UPD_BAD_VERSION;
    uint16_t payload_length = get_u16(body + 2);
    if (payload_length != covered - UPD_HEADER_SIZE)
        return UPD_BAD_LENGTH;
    if (!known_type(body[1]))
        return UPD_BAD_TYPE;
    frame->type = body[1];
    frame->length = payload_length;
    frame->transfer_id = upd_get_u32(body + 4);
    frame->seq = upd_get_u32(body + 8);
    frame->payload = body + UPD_HEADER_SIZE;
    return UPD_OK;
}

/* A flag ends the frame in progress (an empty one is just a separator). */
static bool end_of_frame(struct upd_decoder *d, struct upd_frame *frame, enum upd_reason *reason)
{
    bool was_escaped = d->escaped, was_discarding = d->discarding;
    uint32_t length = d->length;

    upd_decoder_init(d);
    if (was_discarding || length == 0)
        return false;
    *reason = was_escaped ? UPD_BAD_ESCAPE : check_body(d->body, length, frame);
    return true;
}

bool upd_decoder_push(struct upd_decoder *d, uint8_t byte, struct upd_frame *frame,
                      enum upd_reason *reason)
{
    if (byte == UPD_FLAG)
        return end_of_frame(d, frame, reason);
    if (d->discarding)
        return false;
    if (byte == UPD_ESCAPE && !d->escaped) {
        d->escaped = true;
        return false;
    }
    if (d->escaped) {
        d->escaped = false;
        byte ^= UPD_ESCAPE_XOR;
        if (byte != UPD_FLAG && byte != UPD_ESCAPE) {
            d->discarding = true;
            *reason = UPD_BAD_ESCAPE;
            return true;
        }
    }
    if (d->length >= UPD_BODY_MAX) {
        d->discarding = true;
        *reason = UPD_FRAME_LONG;
        return true;
    }
    d->body[d->length++] = byte;
    return false;
}

/* ---------------------------------------------------------------- payloads */

/* START: total size (u32), SHA-256 (32), name length (u8), name. */
enum { START_FIXED = 4 + UPD_SHA256_SIZE + 1 };

static bool valid_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool upd_valid_name(const char *name)
{
    size_t length = strnlen(name, UPD_NAME_MAX + 1);
    if (length == 0 || length > UPD_NAME_MAX)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!valid_name_char(name[i]))
            return false;
    return true;
}

size_t upd_start_payload(uint8_t *out, uint32_t total_size, const uint8_t *sha256, const char *name)
{
    size_t name_length = strnlen(name, UPD_NAME_MAX);
    upd_put_u32(out, total_size);
    memcpy(out + 4, sha256, UPD_SHA256_SIZE);
    out[4 + UPD_SHA256_SIZE] = (uint8_t)name_length;
    memcpy(out + START_FIXED, name, name_length);
    return START_FIXED + name_length;
}

bool upd_parse_start(const struct upd_frame *frame, struct upd_start *start)
{
    if (frame->length < START_FIXED)
        return false;
    uint8_t name_length = frame->payload[4 + UPD_SHA256_SIZE];
    if (name_length == 0 || name_length > UPD_NAME_MAX ||
        frame->length != START_FIXED + name_length)
        return false;
    for (unsigned i = 0; i < name_length; i++) {
        char c = (char)frame->payload[START_FIXED + i];
        if (!valid_name_char(c))
            return false;
        start->name[i] = c;
    }
    start->name[name_length] = '\0';
    start->total_size = upd_get_u32(frame->payload);
    memcpy(start->sha256, frame->payload + 4, UPD_SHA256_SIZE);
    return true;
}

/* NAK, ABORT, VERDICT: code (u16), text length (u8), text (not NUL-terminated). */
size_t upd_status_payload(uint8_t *out, uint16_t code, const char *text)
{
    size_t text_length = text ? strnlen(text, UPD_TEXT_MAX) : 0;
    put_u16(out, code);
    out[2] = (uint8_t)text_length;
    if (text_length)
        memcpy(out + 3, text, text_length);
    return 3 + text_length;
}

bool upd_parse_status(const struct upd_frame *frame, struct upd_status *status)
{
    if (frame->length < 3)
        return false;
    uint8_t text_length = frame->payload[2];
    if (text_length > UPD_TEXT_MAX || frame->length != 3u + text_length)
        return false;
    status->code = get_u16(frame->payload);
    for (unsigned i = 0; i < text_length; i++) {
        uint8_t c = frame->payload[3 + i];
        status->text[i] = c >= 0x20 && c < 0x7f ? (char)c : '?'; /* never a control byte */
    }
    status->text[text_length] = '\0';
    return true;
}
