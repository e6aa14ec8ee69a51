/* sender.c — the host end of the update transport (PROTOCOL.md).
 *
 * Go-back-N: frames are numbered START = 0, DATA = 1..end_seq-1,
 * END = end_seq. Up to `window` frames after the oldest unacknowledged
 * one (base) are in flight; START alone goes first. A cumulative ACK moves
 * base; a NAK out-of-order or a retransmission timeout sends again from
 * base. After END is acknowledged the sender repeats END every
 * retransmit_ms until the VERDICT comes (the receiver answers a repeated
 * END with an ACK while the update is applied, then with the VERDICT).
 *
 * Invariants: base <= next <= high <= end_seq + 1 (high: one past the
 * highest seq ever sent); acked_bytes <= size; a state
 * of DONE or FAILED is final.
 */
#include "updater/protocol.h"
#include <string.h>
#include <wisp/format.h>

static void fail(struct upd_sender *tx, enum upd_reason reason, const char *text)
{
    if (tx->state == UPD_TX_DONE || tx->state == UPD_TX_FAILED)
        return;
    tx->state = UPD_TX_FAILED;
    tx->failure.code = (uint16_t)reason;
    size_t length = strnlen(text, UPD_TEXT_MAX);
    memcpy(tx->failure.text, text, length);
    tx->failure.text[length] = '\0';
}

bool upd_sender_init(struct upd_sender *tx, const struct upd_sender_config *config, uint64_t now_ms)
{
    memset(tx, 0, sizeof(*tx));
    tx->config = *config;
    struct upd_sender_config *c = &tx->config;
    if (c->chunk_size == 0 || c->chunk_size > UPD_DATA_MAX)
        c->chunk_size = UPD_DATA_MAX;
    if (c->window == 0)
        c->window = 8;
    if (c->window > UPD_WINDOW_MAX)
        c->window = UPD_WINDOW_MAX;
    if (c->retransmit_ms == 0)
        c->retransmit_ms = 500;
    if (c->max_retries == 0)
        c->max_retries = 10;
    upd_decoder_init(&tx->decoder);
    tx->state = UPD_TX_STARTING;
    tx->timer_ms = now_ms;

    if (c->size == 0 || !c->payload || c->size > UPD_SENDER_SIZE_MAX) {
        fail(tx, UPD_BAD_START, "the module is empty or larger than the protocol allows");
        return false;
    }
    if (!c->name || !upd_valid_name(c->name)) {
        fail(tx, UPD_BAD_START, "the module name must be 1-47 characters of A-Z a-z 0-9 _ . -");
        return false;
    }
    if (c->sha256) {
        memcpy(tx->sha256, c->sha256, sizeof(tx->sha256));
    } else {
        br_sha256_context sha;
        br_sha256_init(&sha);
        br_sha256_update(&sha, c->payload, c->size);
        br_sha256_out(&sha, tx->sha256);
    }
    tx->end_seq = 1 + (c->size + c->chunk_size - 1) / c->chunk_size;
    return true;
}

/* Encodes frame seq (START, a DATA or END); 0 when it does not fit. */
static size_t encode_seq(const struct upd_sender *tx, uint32_t seq, uint8_t *out, size_t capacity)
{
    uint8_t payload[UPD_PAYLOAD_MAX];
    struct upd_frame frame = { UPD_DATA, 0, tx->config.transfer_id, seq, payload };

    if (seq == 0) {
        frame.type = UPD_START;
        frame.length =
            (uint16_t)upd_start_payload(payload, tx->config.size, tx->sha256, tx->config.name);
    } else if (seq == tx->end_seq) {
        frame.type = UPD_END;
    } else {
        uint32_t offset = (seq - 1) * tx->config.chunk_size;
        uint32_t length = tx->config.size - offset;
        if (length > tx->config.chunk_size)
            length = tx->config.chunk_size;
        upd_put_u32(payload, offset);
        memcpy(payload + 4, tx->config.payload + offset, length);
        frame.length = (uint16_t)(4 + length);
    }
    return upd_frame_encode(&frame, out, capacity);
}

/* The wait before the next retransmission: retransmit_ms, doubled for
 * each timeout in a row up to UPD_BACKOFF_MAX_SHIFT doublings. A slow
 * receiver (a loaded kernel) that answers late must not be buried under
 * rounds of the same window, each of which it would then have to read
 * and answer before it gets to anything new. */
static uint64_t retransmit_wait(const struct upd_sender *tx)
{
    uint32_t shift = tx->retries < UPD_BACKOFF_MAX_SHIFT ? tx->retries : UPD_BACKOFF_MAX_SHIFT;
    return (uint64_t)tx->config.retransmit_ms << shift;
}

static void check_timeout(struct upd_sender *tx, uint64_t now)
{
    bool waiting = tx->next > tx->base || tx->state == UPD_TX_WAIT_VERDICT;
    char text[UPD_TEXT_MAX + 1];

    if (!waiting || now - tx->timer_ms < retransmit_wait(tx))
        return;
    if (++tx->retries > tx->config.max_retries) {
        ksnprintf(text, sizeof(text), "no answer from the receiver after %u retransmissions",
                  (unsigned)tx->config.max_retries);
        fail(tx, UPD_TIMEOUT, text);
        return;
    }
    tx->timer_ms = now;
    if (tx->state == UPD_TX_WAIT_VERDICT) {
        tx->next = tx->end_seq; /* poll with END */
    } else {
        tx->retransmissions += tx->next - tx->base;
        tx->next = tx->base;
    }
}

size_t upd_sender_poll(struct upd_sender *tx, uint64_t now_ms, uint8_t *out, size_t capacity)
{
    size_t used = 0;

    if (tx->state == UPD_TX_DONE && tx->ack_verdict) {
        struct upd_frame ack = { UPD_ACK, 0, tx->config.transfer_id, tx->end_seq + 1, NULL };
        used = upd_frame_encode(&ack, out, capacity);
        tx->ack_verdict = used == 0;
        return used;
    }
    if (tx->state == UPD_TX_DONE || tx->state == UPD_TX_FAILED)
        return 0;
    check_timeout(tx, now_ms);
    if (tx->state == UPD_TX_FAILED)
        return 0;

    uint32_t limit = tx->state == UPD_TX_STARTING ? 1 : tx->base + tx->config.window;
    if (limit > tx->end_seq + 1)
        limit = tx->end_seq + 1;
    while (tx->next < limit) {
        size_t n = encode_seq(tx, tx->next, out + used, capacity - used);
        if (n == 0)
            break;
        if (tx->next == tx->base)
            tx->timer_ms = now_ms; /* the oldest frame in flight starts the clock */
        used += n;
        tx->next++;
        tx->frames_sent++;
        if (tx->high < tx->next)
            tx->high = tx->next;
    }
    return used;
}

/* A cumulative ACK (or the seq of a NAK): every frame below seq arrived. */
static void acknowledge(struct upd_sender *tx, const struct upd_frame *frame, uint64_t now)
{
    uint32_t seq = frame->seq;

    if (seq <= tx->base || seq > tx->high) {
        if (tx->state == UPD_TX_WAIT_VERDICT)
            tx->retries = 0; /* the receiver is alive, applying the update */
        return;
    }
    tx->base = seq;
    if (tx->next < seq)
        tx->next = seq;
    tx->retries = 0;
    tx->timer_ms = now;
    if (frame->type == UPD_ACK && frame->length == 4) {
        uint32_t bytes = upd_get_u32(frame->payload);
        if (bytes <= tx->config.size && bytes > tx->acked_bytes)
            tx->acked_bytes = bytes;
    }
    if (tx->state == UPD_TX_STARTING)
        tx->state = UPD_TX_SENDING;
    if (tx->base == tx->end_seq + 1) {
        tx->state = UPD_TX_WAIT_VERDICT;
        tx->acked_bytes = tx->config.size;
    }
}

static void handle_status(struct upd_sender *tx, const struct upd_frame *frame, uint64_t now)
{
    struct upd_status status;

    if (!upd_parse_status(frame, &status)) {
        tx->replies_rejected++;
        return;
    }
    if (frame->type == UPD_VERDICT) {
        if (tx->next <= tx->end_seq && tx->state != UPD_TX_DONE)
            return; /* END never sent: not our verdict */
        tx->ack_verdict = true;
        if (tx->state != UPD_TX_DONE && tx->state != UPD_TX_FAILED) {
            tx->verdict = status;
            tx->state = UPD_TX_DONE;
        }
        return;
    }
    if (frame->type == UPD_NAK && status.code == UPD_OUT_OF_ORDER) {
        acknowledge(tx, frame, now);
        if (frame->seq == tx->base && tx->next > tx->base) {
            tx->retransmissions += tx->next - tx->base;
            tx->next = tx->base; /* go back now rather than at the timeout */
        }
        return;
    }
    if (status.code >= UPD_REASON_COUNT || status.code == UPD_OK)
        status.code = UPD_ABORTED;
    fail(tx, (enum upd_reason)status.code,
         status.text[0] ? status.text : upd_reason_name((enum upd_reason)status.code));
}

void upd_sender_feed(struct upd_sender *tx, const uint8_t *bytes, size_t length, uint64_t now_ms)
{
    struct upd_frame frame;
    enum upd_reason reason;

    for (size_t i = 0; i < length; i++) {
        if (!upd_decoder_push(&tx->decoder, bytes[i], &frame, &reason))
            continue;
        if (reason != UPD_OK || frame.transfer_id != tx->config.transfer_id) {
            tx->replies_rejected++;
            continue;
        }
        switch (frame.type) {
        case UPD_ACK:
            if (tx->state != UPD_TX_DONE && tx->state != UPD_TX_FAILED)
                acknowledge(tx, &frame, now_ms);
            break;
        case UPD_NAK:
        case UPD_ABORT:
        case UPD_VERDICT:
            if (tx->state != UPD_TX_FAILED)
                handle_status(tx, &frame, now_ms);
            break;
        default:
            tx->replies_rejected++;
        }
    }
}

size_t upd_sender_abort(struct upd_sender *tx, enum upd_reason reason, const char *text,
                        uint8_t *out, size_t capacity)
{
    uint8_t payload[3 + UPD_TEXT_MAX];
    struct upd_frame frame = { UPD_ABORT, 0, tx->config.transfer_id, tx->next, payload };

    fail(tx, reason, text);
    frame.length = (uint16_t)upd_status_payload(payload, (uint16_t)reason, text);
    return upd_frame_encode(&frame, out, capacity);
}
