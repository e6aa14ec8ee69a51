/* protocol.h — the update transport: frames on an untrusted serial line and
 * the two state machines (kernel receiver, host sender) that use them.
 *
 * The wire format is specified in updater/PROTOCOL.md; the constants and
 * enums below are its normative values. Everything here is pure C11 with
 * no allocation and no I/O: the caller moves bytes between the line and
 * these functions and passes the current time in milliseconds. The same
 * code is compiled into the kernel (freestanding) and the host tools.
 *
 * Concurrency: a struct upd_receiver or upd_sender is not reentrant; the
 * caller serialises every call on one object (one lock or one thread).
 * None of these functions sleeps or blocks.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bearssl_hash.h>

/* ---------------------------------------------------------------- wire */

enum {
    UPD_VERSION = 1,
    UPD_FLAG = 0x7e,   /* starts and ends every frame */
    UPD_ESCAPE = 0x7d, /* next byte is XORed with UPD_ESCAPE_XOR */
    UPD_ESCAPE_XOR = 0x20,
    UPD_HEADER_SIZE = 12, /* version, type, length, transfer id, seq */
    UPD_CRC_SIZE = 4,
    UPD_DATA_MAX = 1024, /* module bytes in one DATA frame */
    UPD_PAYLOAD_MAX = 4 + UPD_DATA_MAX,
    UPD_BODY_MAX = UPD_HEADER_SIZE + UPD_PAYLOAD_MAX + UPD_CRC_SIZE,
    UPD_WIRE_MAX = 2 + 2 * UPD_BODY_MAX, /* flags + every byte escaped */
    UPD_NAME_MAX = 47,                   /* module name bytes in START */
    UPD_BACKOFF_MAX_SHIFT = 3,           /* retransmission wait: at most 8 x retransmit_ms */
    UPD_TEXT_MAX = 200,                  /* reason text bytes in NAK, ABORT, VERDICT */
    UPD_SHA256_SIZE = 32,
    UPD_WINDOW_MAX = 32,            /* frames a sender may have in flight */
    UPD_SENDER_SIZE_MAX = 64 << 20, /* largest payload the sender numbers */
};

enum upd_frame_type {
    UPD_START = 0x01,   /* host → kernel: announce a transfer (seq 0) */
    UPD_DATA = 0x02,    /* host → kernel: module bytes at an offset */
    UPD_END = 0x03,     /* host → kernel: all bytes sent (last seq) */
    UPD_ABORT = 0x04,   /* either way: the transfer is over, with a reason */
    UPD_ACK = 0x10,     /* kernel → host: cumulative; host → kernel: verdict seen */
    UPD_NAK = 0x11,     /* kernel → host: a frame was refused, with a reason */
    UPD_VERDICT = 0x12, /* kernel → host: the result of the update */
};

/* Why a frame was refused or a transfer ended. The values are on the wire
 * (NAK, ABORT) and index upd_counters.rejected: never renumber. */
enum upd_reason {
    UPD_OK = 0,
    UPD_FRAME_SHORT = 1, /* fewer bytes than a header and a CRC */
    UPD_FRAME_LONG = 2,  /* more bytes than UPD_BODY_MAX before a flag */
    UPD_BAD_ESCAPE = 3,  /* escape byte followed by a flag or a plain byte */
    UPD_BAD_CRC = 4,
    UPD_BAD_VERSION = 5,
    UPD_BAD_LENGTH = 6,     /* header length disagrees with the frame or type */
    UPD_BAD_TYPE = 7,       /* unknown type, or not one this side accepts */
    UPD_NO_TRANSFER = 8,    /* DATA/END/ABORT while no transfer is open */
    UPD_WRONG_TRANSFER = 9, /* transfer id is not the open transfer's */
    UPD_DUPLICATE = 10,     /* already accepted (answered again, not reapplied) */
    UPD_OUT_OF_ORDER = 11,  /* seq beyond the next expected one */
    UPD_BAD_OFFSET = 12,    /* DATA offset not where the payload stands, or past its end */
    UPD_TOO_LARGE = 13,     /* START announces more than the receiver's limit */
    UPD_BAD_START = 14,     /* START with size 0 or an invalid name */
    UPD_BUSY = 15,          /* a completed payload awaits its verdict */
    UPD_SIZE_MISMATCH = 16, /* END before every announced byte arrived */
    UPD_HASH_MISMATCH = 17, /* SHA-256 of the bytes is not the announced one */
    UPD_TIMEOUT = 18,       /* transfer idle too long (receiver) / no answer (sender) */
    UPD_ABORTED = 19,       /* the peer sent ABORT */
    UPD_TX_FULL = 20,       /* a reply was dropped: no room in the send queue */
    UPD_DISCONNECTED = 21,  /* the line closed (host side only) */
    UPD_REASON_COUNT
};

/* A decoded frame. payload points into the decoder (or the caller's
 * buffer when encoding) and is valid until the next decoder call. */
struct upd_frame {
    uint8_t type;
    uint16_t length;
    uint32_t transfer_id;
    uint32_t seq;
    const uint8_t *payload;
};

/* Byte-stuffing frame decoder: feed it every byte from the line. */
struct upd_decoder {
    uint8_t body[UPD_BODY_MAX];
    uint32_t length; /* unstuffed bytes in body */
    bool escaped;    /* last byte was UPD_ESCAPE */
    bool discarding; /* frame already refused; skip to the next flag */
};

/* START payload, parsed. */
struct upd_start {
    uint32_t total_size;
    uint8_t sha256[UPD_SHA256_SIZE];
    char name[UPD_NAME_MAX + 1];
};

/* NAK / ABORT / VERDICT payload, parsed: a 16-bit code and a text. */
struct upd_status {
    uint16_t code;
    char text[UPD_TEXT_MAX + 1];
};

uint32_t upd_crc32(uint32_t crc, const void *data, size_t length);
const char *upd_reason_name(enum upd_reason reason);
/* True for 1..UPD_NAME_MAX characters of [A-Za-z0-9_.-]. */
bool upd_valid_name(const char *name);
const char *upd_frame_type_name(uint8_t type);

/* Writes frame (flags, escaped header + payload + CRC) to out. Returns the
 * bytes written, or 0 when it does not fit in capacity or frame->length
 * exceeds UPD_PAYLOAD_MAX. */
size_t upd_frame_encode(const struct upd_frame *frame, uint8_t *out, size_t capacity);

void upd_decoder_init(struct upd_decoder *decoder);
/* Takes one byte. Returns true when the byte ended a frame: then *reason is
 * UPD_OK and *frame the frame, or *reason says why the frame was refused
 * (syntax only: length, escapes, CRC, version, header length, type). */
bool upd_decoder_push(struct upd_decoder *decoder, uint8_t byte, struct upd_frame *frame,
                      enum upd_reason *reason);

/* Payload builders (return the payload length; buffers of UPD_PAYLOAD_MAX
 * bytes always suffice) and parsers (false when the payload is malformed). */
size_t upd_start_payload(uint8_t *out, uint32_t total_size, const uint8_t *sha256,
                         const char *name);
bool upd_parse_start(const struct upd_frame *frame, struct upd_start *start);
size_t upd_status_payload(uint8_t *out, uint16_t code, const char *text);
bool upd_parse_status(const struct upd_frame *frame, struct upd_status *status);
void upd_put_u32(uint8_t *p, uint32_t value);
uint32_t upd_get_u32(const uint8_t *p);

/* ---------------------------------------------------------------- receiver */

/* Counters of the receiver: rejected[reason] counts refused frames and
 * dropped transfers by reason; the rest count what went well. */
struct upd_counters {
    uint32_t rejected[UPD_REASON_COUNT];
    uint32_t frames_accepted;
    uint32_t transfers_started;
    uint32_t transfers_completed;
    uint32_t transfers_dropped;
};

typedef void (*upd_log_fn)(void *arg, enum upd_reason reason, const char *message);

struct upd_receiver_config {
    uint8_t *buffer;          /* the payload lands here */
    uint32_t capacity;        /* bytes in buffer */
    uint32_t max_size;        /* START above this is refused (0: capacity) */
    uint32_t idle_timeout_ms; /* an open transfer idle this long is dropped (0: 10 s) */
    upd_log_fn log;           /* every rejection and drop, with a message (may be NULL) */
    void *log_arg;
};

enum upd_receiver_state {
    UPD_RX_IDLE,      /* waiting for START */
    UPD_RX_RECEIVING, /* a transfer is open */
    UPD_RX_COMPLETE,  /* payload handed on; buffer owned by the caller until the verdict */
    UPD_RX_VERDICT,   /* verdict sent; repeated on request until idle timeout or next START */
};

enum { UPD_TX_QUEUE = 2048, UPD_IDLE_TIMEOUT_DEFAULT_MS = 10000 };

struct upd_receiver {
    struct upd_receiver_config config;
    enum upd_receiver_state state;
    struct upd_decoder decoder;
    struct upd_start start; /* of the open (or last) transfer */
    uint32_t transfer_id;
    uint32_t next_seq;         /* next frame expected */
    uint32_t received;         /* payload bytes accepted, in order */
    bool nak_sent;             /* an OUT_OF_ORDER NAK already asked for next_seq */
    uint32_t last_refused_seq; /* seq of the last OUT_OF_ORDER frame */
    uint64_t last_activity_ms; /* last accepted frame of this transfer */
    br_sha256_context sha;     /* over buffer[0, received) */
    struct upd_status verdict;
    uint8_t tx[UPD_TX_QUEUE]; /* replies waiting for the line */
    uint32_t tx_length;
    struct upd_counters counters;
};

/* The update the receiver handed on (valid in UPD_RX_COMPLETE). */
struct upd_payload {
    const uint8_t *data;
    uint32_t size;
    const char *name;
    const uint8_t *sha256;
    uint32_t transfer_id;
};

enum upd_event {
    UPD_EVENT_NONE,
    UPD_EVENT_PAYLOAD, /* a payload is complete and verified: upd_receiver_payload() */
};

void upd_receiver_init(struct upd_receiver *rx, const struct upd_receiver_config *config);
/* Feeds bytes from the line. Returns UPD_EVENT_PAYLOAD when these bytes
 * completed a payload whose size and SHA-256 match its START; the caller
 * then owns the buffer until upd_receiver_verdict(). */
enum upd_event upd_receiver_feed(struct upd_receiver *rx, const uint8_t *bytes, size_t length,
                                 uint64_t now_ms);
/* Drops a transfer idle for idle_timeout_ms; call it when no byte came. */
void upd_receiver_tick(struct upd_receiver *rx, uint64_t now_ms);
/* Moves up to capacity queued reply bytes to out; returns how many. */
size_t upd_receiver_take(struct upd_receiver *rx, uint8_t *out, size_t capacity);
bool upd_receiver_payload(const struct upd_receiver *rx, struct upd_payload *payload);
/* Ends UPD_RX_COMPLETE: queues the VERDICT (status 0 = the new version is
 * live) and gives the buffer back. False when no payload awaits one. */
bool upd_receiver_verdict(struct upd_receiver *rx, uint16_t status, const char *text,
                          uint64_t now_ms);

/* ---------------------------------------------------------------- sender */

struct upd_sender_config {
    const uint8_t *payload;
    uint32_t size;
    const char *name;      /* module name, 1..UPD_NAME_MAX of [A-Za-z0-9_.-] */
    const uint8_t *sha256; /* NULL: computed from payload */
    uint32_t transfer_id;
    uint32_t chunk_size;    /* DATA bytes per frame, 1..UPD_DATA_MAX (0: max) */
    uint32_t window;        /* frames in flight, 1..UPD_WINDOW_MAX (0: 8) */
    uint32_t retransmit_ms; /* resend from the oldest unacknowledged frame after this,
                               doubled per timeout in a row (0: 500) */
    uint32_t max_retries;   /* timeouts in a row without progress before failing (0: 10) */
};

enum upd_sender_state {
    UPD_TX_STARTING,     /* START sent, not yet acknowledged */
    UPD_TX_SENDING,      /* DATA and END in flight */
    UPD_TX_WAIT_VERDICT, /* everything acknowledged; polling with END */
    UPD_TX_DONE,         /* verdict received (status in verdict.code) */
    UPD_TX_FAILED,       /* reason and text in failure */
};

struct upd_sender {
    struct upd_sender_config config;
    enum upd_sender_state state;
    uint8_t sha256[UPD_SHA256_SIZE];
    uint32_t end_seq;  /* seq of END: DATA frames are 1..end_seq-1 */
    uint32_t base;     /* oldest unacknowledged seq */
    uint32_t next;     /* next seq to (re)send */
    uint32_t high;     /* one past the highest seq sent so far */
    uint64_t timer_ms; /* when base was last sent or acknowledged */
    uint32_t retries;
    uint32_t acked_bytes;
    bool ack_verdict; /* an ACK of the VERDICT is due */
    struct upd_status verdict;
    struct upd_status failure; /* code is an enum upd_reason */
    uint32_t frames_sent, retransmissions, replies_rejected;
    struct upd_decoder decoder;
};

/* False (with failure set) when the config is invalid. */
bool upd_sender_init(struct upd_sender *tx, const struct upd_sender_config *config,
                     uint64_t now_ms);
/* Writes the frames due now (new, retransmitted, verdict ACK) to out;
 * returns bytes written. capacity >= UPD_WIRE_MAX guarantees progress. */
size_t upd_sender_poll(struct upd_sender *tx, uint64_t now_ms, uint8_t *out, size_t capacity);
/* Consumes reply bytes from the line. */
void upd_sender_feed(struct upd_sender *tx, const uint8_t *bytes, size_t length, uint64_t now_ms);
/* Fails the transfer with reason (e.g. UPD_DISCONNECTED) and writes an
 * ABORT frame for the receiver to out; returns its length. */
size_t upd_sender_abort(struct upd_sender *tx, enum upd_reason reason, const char *text,
                        uint8_t *out, size_t capacity);
