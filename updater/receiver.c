/* receiver.c — the kernel end of the update transport (PROTOCOL.md).
 *
 * A reactive state machine: it only answers frames (ACK, NAK, ABORT,
 * VERDICT) and never sends on its own, so the sender owns every timer but
 * one: an open transfer idle for idle_timeout_ms is dropped.
 *
 * Invariants:
 *   - buffer[0, received) holds exactly the DATA bytes accepted, in order,
 *     and sha is the SHA-256 context over them;
 *   - UPD_EVENT_PAYLOAD is returned only when received == total_size and
 *     the SHA-256 matches START: a payload that is incomplete, corrupt or
 *     over the limit is never handed on;
 *   - in UPD_RX_COMPLETE the buffer belongs to the caller: nothing writes
 *     to it until upd_receiver_verdict();
 *   - every refused frame and every dropped transfer increments one
 *     counters.rejected[reason] and is logged once.
 */
#include "updater/protocol.h"
#include <string.h>
#include <wisp/format.h>

static void reject(struct upd_receiver *rx, enum upd_reason reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reject(struct upd_receiver *rx, enum upd_reason reason, const char *fmt, ...)
{
    char message[160];
    va_list ap;

    rx->counters.rejected[reason]++;
    if (!rx->config.log)
        return;
    va_start(ap, fmt);
    kvsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    rx->config.log(rx->config.log_arg, reason, message);
}

static void queue_frame(struct upd_receiver *rx, uint8_t type, uint32_t seq, const uint8_t *payload,
                        uint16_t length)
{
    struct upd_frame frame = { type, length, rx->transfer_id, seq, payload };
    size_t written =
        upd_frame_encode(&frame, rx->tx + rx->tx_length, sizeof(rx->tx) - rx->tx_length);
    if (written == 0) {
        reject(rx, UPD_TX_FULL, "update: reply %s dropped: send queue full",
               upd_frame_type_name(type));
        return;
    }
    rx->tx_length += (uint32_t)written;
}

static void send_ack(struct upd_receiver *rx)
{
    uint8_t payload[4];
    upd_put_u32(payload, rx->received);
    queue_frame(rx, UPD_ACK, rx->next_seq, payload, sizeof(payload));
}

static void send_status(struct upd_receiver *rx, uint8_t type, uint32_t seq, uint16_t code,
                        const char *text)
{
    uint8_t payload[3 + UPD_TEXT_MAX];
    size_t length = upd_status_payload(payload, code, text);
    queue_frame(rx, type, seq, payload, (uint16_t)length);
}

/* Refuses frame with a NAK that tells the sender why and where we stand. */
static void nak(struct upd_receiver *rx, uint32_t transfer_id, enum upd_reason reason,
                const char *text)
{
    uint32_t saved = rx->transfer_id;
    rx->transfer_id = transfer_id;
    send_status(rx, UPD_NAK, rx->next_seq, reason, text);
    rx->transfer_id = saved;
}

/* Ends the open transfer: the receiver is idle and keeps nothing of it. */
static void drop_transfer(struct upd_receiver *rx, enum upd_reason reason, const char *why)
{
    reject(rx, reason, "update: transfer %08x (%s) dropped after %u of %u bytes: %s",
           (unsigned)rx->transfer_id, rx->start.name, (unsigned)rx->received,
           (unsigned)rx->start.total_size, why);
    rx->counters.transfers_dropped++;
    rx->state = UPD_RX_IDLE;
}

/* Drops the transfer and tells the sender with ABORT. */
static void abort_transfer(struct upd_receiver *rx, enum upd_reason reason, const char *why)
{
    send_status(rx, UPD_ABORT, rx->next_seq, reason, why);
    drop_transfer(rx, reason, why);
}

void upd_receiver_init(struct upd_receiver *rx, const struct upd_receiver_config *config)
{
    memset(rx, 0, sizeof(*rx));
    rx->config = *config;
    if (rx->config.max_size == 0 || rx->config.max_size > rx->config.capacity)
        rx->config.max_size = rx->config.capacity;
    if (rx->config.idle_timeout_ms == 0)
        rx->config.idle_timeout_ms = UPD_IDLE_TIMEOUT_DEFAULT_MS;
    upd_decoder_init(&rx->decoder);
    rx->state = UPD_RX_IDLE;
}

/* Answers a repeated frame of the current transfer with where we stand. */
static void answer_duplicate(struct upd_receiver *rx, const struct upd_frame *frame)
{
    reject(rx, UPD_DUPLICATE, "update: %s seq %u of transfer %08x again (next is %u)",
           upd_frame_type_name(frame->type), (unsigned)frame->seq, (unsigned)frame->transfer_id,
           (unsigned)rx->next_seq);
    if (rx->state == UPD_RX_VERDICT)
        send_status(rx, UPD_VERDICT, rx->next_seq, rx->verdict.code, rx->verdict.text);
    else
        send_ack(rx);
}

static void handle_start(struct upd_receiver *rx, const struct upd_frame *frame, uint64_t now)
{
    struct upd_start start;
    char text[96];

    if (rx->state != UPD_RX_IDLE && frame->transfer_id == rx->transfer_id) {
        answer_duplicate(rx, frame);
        return;
    }
    if (rx->state == UPD_RX_COMPLETE) {
        reject(rx, UPD_BUSY, "update: START of %08x refused: an update is being applied",
               (unsigned)frame->transfer_id);
        nak(rx, frame->transfer_id, UPD_BUSY, "busy: another update is being applied");
        return;
    }
    if (frame->seq != 0 || !upd_parse_start(frame, &start) || start.total_size == 0) {
        reject(rx, UPD_BAD_START, "update: malformed START of %08x", (unsigned)frame->transfer_id);
        nak(rx, frame->transfer_id, UPD_BAD_START, "malformed START (size 0 or bad name)");
        return;
    }
    if (start.total_size > rx->config.max_size) {
        ksnprintf(text, sizeof(text), "refused: module %s is %u bytes, the limit is %u bytes",
                  start.name, (unsigned)start.total_size, (unsigned)rx->config.max_size);
        reject(rx, UPD_TOO_LARGE, "update: %s", text);
        nak(rx, frame->transfer_id, UPD_TOO_LARGE, text);
        return;
    }
    if (rx->state == UPD_RX_RECEIVING)
        drop_transfer(rx, UPD_ABORTED, "replaced by a new START");
    rx->state = UPD_RX_RECEIVING;
    rx->start = start;
    rx->transfer_id = frame->transfer_id;
    rx->next_seq = 1;
    rx->received = 0;
    rx->nak_sent = false;
    rx->last_activity_ms = now;
    br_sha256_init(&rx->sha);
    rx->counters.transfers_started++;
    rx->counters.frames_accepted++;
    send_ack(rx);
}

/* DATA and END with seq == next_seq of the open transfer. */
static enum upd_event accept_in_order(struct upd_receiver *rx, const struct upd_frame *frame)
{
    if (frame->type == UPD_DATA) {
        uint32_t offset = upd_get_u32(frame->payload);
        uint32_t length = frame->length - 4u;
        if (offset != rx->received || length > rx->start.total_size - rx->received) {
            abort_transfer(rx, UPD_BAD_OFFSET, "DATA offset or length outside the module");
            return UPD_EVENT_NONE;
        }
        memcpy(rx->config.buffer + offset, frame->payload + 4, length);
        br_sha256_update(&rx->sha, frame->payload + 4, length);
        rx->received += length;
    } else {
        uint8_t digest[UPD_SHA256_SIZE];
        if (rx->received != rx->start.total_size) {
            abort_transfer(rx, UPD_SIZE_MISMATCH, "END before every announced byte arrived");
            return UPD_EVENT_NONE;
        }
        br_sha256_out(&rx->sha, digest);
        if (memcmp(digest, rx->start.sha256, sizeof(digest)) != 0) {
            abort_transfer(rx, UPD_HASH_MISMATCH, "SHA-256 of the module is not the announced one");
            return UPD_EVENT_NONE;
        }
    }
    rx->next_seq++;
    rx->nak_sent = false;
    rx->counters.frames_accepted++;
    send_ack(rx);
    if (frame->type == UPD_DATA)
        return UPD_EVENT_NONE;
    rx->state = UPD_RX_COMPLETE;
    rx->counters.transfers_completed++;
    return UPD_EVENT_PAYLOAD;
}

static enum upd_event handle_data_end(struct upd_receiver *rx, const struct upd_frame *frame,
                                      uint64_t now)
{
    bool data = frame->type == UPD_DATA;

    if ((data && frame->length <= 4) || (!data && frame->length != 0)) {
        reject(rx, UPD_BAD_LENGTH, "update: %s with a %u-byte payload",
               upd_frame_type_name(frame->type), (unsigned)frame->length);
        return UPD_EVENT_NONE;
    }
    if (rx->state == UPD_RX_IDLE || frame->transfer_id != rx->transfer_id) {
        enum upd_reason why = rx->state == UPD_RX_IDLE ? UPD_NO_TRANSFER : UPD_WRONG_TRANSFER;
        reject(rx, why, "update: %s of transfer %08x, which is not open",
               upd_frame_type_name(frame->type), (unsigned)frame->transfer_id);
        nak(rx, frame->transfer_id, why, "no such transfer open: send START");
        return UPD_EVENT_NONE;
    }
    if (rx->state != UPD_RX_RECEIVING || frame->seq < rx->next_seq) {
        answer_duplicate(rx, frame);
        return UPD_EVENT_NONE;
    }
    if (frame->seq > rx->next_seq) {
        reject(rx, UPD_OUT_OF_ORDER, "update: %s seq %u, expected %u",
               upd_frame_type_name(frame->type), (unsigned)frame->seq, (unsigned)rx->next_seq);
        /* One NAK per gap and round: the rest of the window behind the gap
         * would only repeat it. A seq not above the last one refused means
         * the sender went back for another round, which may need one too. */
        if (!rx->nak_sent || frame->seq <= rx->last_refused_seq)
            nak(rx, rx->transfer_id, UPD_OUT_OF_ORDER, NULL);
        rx->nak_sent = true;
        rx->last_refused_seq = frame->seq;
        return UPD_EVENT_NONE;
    }
    rx->last_activity_ms = now;
    return accept_in_order(rx, frame);
}

static void handle_abort(struct upd_receiver *rx, const struct upd_frame *frame)
{
    struct upd_status status;

    if (rx->state == UPD_RX_IDLE || frame->transfer_id != rx->transfer_id) {
        reject(rx, UPD_NO_TRANSFER, "update: ABORT of transfer %08x, which is not open",
               (unsigned)frame->transfer_id);
        return;
    }
    if (rx->state == UPD_RX_COMPLETE) {
        reject(rx, UPD_BUSY, "update: ABORT of %08x ignored: it is being applied",
               (unsigned)frame->transfer_id);
        return;
    }
    if (!upd_parse_status(frame, &status))
        status.text[0] = '\0';
    if (rx->state == UPD_RX_VERDICT) { /* the sender gave up waiting; nothing to undo */
        rx->state = UPD_RX_IDLE;
        return;
    }
    drop_transfer(rx, UPD_ABORTED, status.text[0] ? status.text : "the sender aborted");
}

static enum upd_event handle_frame(struct upd_receiver *rx, const struct upd_frame *frame,
                                   uint64_t now)
{
    switch (frame->type) {
    case UPD_START:
        handle_start(rx, frame, now);
        return UPD_EVENT_NONE;
    case UPD_DATA:
    case UPD_END:
        return handle_data_end(rx, frame, now);
    case UPD_ABORT:
        handle_abort(rx, frame);
        return UPD_EVENT_NONE;
    case UPD_ACK: /* the sender saw the verdict: the transfer is over */
        if (rx->state == UPD_RX_VERDICT && frame->transfer_id == rx->transfer_id) {
            rx->state = UPD_RX_IDLE;
            return UPD_EVENT_NONE;
        }
        break;
    }
    reject(rx, UPD_BAD_TYPE, "update: unexpected %s frame (transfer %08x)",
           upd_frame_type_name(frame->type), (unsigned)frame->transfer_id);
    return UPD_EVENT_NONE;
}

void upd_receiver_tick(struct upd_receiver *rx, uint64_t now_ms)
{
    if (rx->state != UPD_RX_RECEIVING && rx->state != UPD_RX_VERDICT)
        return;
    if (now_ms - rx->last_activity_ms < rx->config.idle_timeout_ms)
        return;
    if (rx->state == UPD_RX_VERDICT)
        rx->state = UPD_RX_IDLE; /* completed: forget the verdict quietly */
    else
        drop_transfer(rx, UPD_TIMEOUT, "idle too long");
}

enum upd_event upd_receiver_feed(struct upd_receiver *rx, const uint8_t *bytes, size_t length,
                                 uint64_t now_ms)
{
    enum upd_event event = UPD_EVENT_NONE;
    struct upd_frame frame;
    enum upd_reason reason;

    upd_receiver_tick(rx, now_ms);
    for (size_t i = 0; i < length; i++) {
        if (!upd_decoder_push(&rx->decoder, bytes[i], &frame, &reason))
            continue;
        if (reason != UPD_OK) {
            reject(rx, reason, "update: frame refused: %s", upd_reason_name(reason));
            continue;
        }
        if (handle_frame(rx, &frame, now_ms) == UPD_EVENT_PAYLOAD)
            event = UPD_EVENT_PAYLOAD;
    }
    return event;
}

size_t upd_receiver_take(struct upd_receiver *rx, uint8_t *out, size_t capacity)
{
    size_t n = rx->tx_length < capacity ? rx->tx_length : capacity;
    memcpy(out, rx->tx, n);
    memmove(rx->tx, rx->tx + n, rx->tx_length - n);
    rx->tx_length -= (uint32_t)n;
    return n;
}

bool upd_receiver_payload(const struct upd_receiver *rx, struct upd_payload *payload)
{
    if (rx->state != UPD_RX_COMPLETE)
        return false;
    payload->data = rx->config.buffer;
    payload->size = rx->received;
    payload->name = rx->start.name;
    payload->sha256 = rx->start.sha256;
    payload->transfer_id = rx->transfer_id;
    return true;
}

bool upd_receiver_verdict(struct upd_receiver *rx, uint16_t status, const char *text,
                          uint64_t now_ms)
{
    if (rx->state != UPD_RX_COMPLETE)
        return false;
    rx->verdict.code = status;
    size_t length = text ? strnlen(text, UPD_TEXT_MAX) : 0;
    if (length)
        memcpy(rx->verdict.text, text, length);
    rx->verdict.text[length] = '\0';
    rx->state = UPD_RX_VERDICT;
    rx->last_activity_ms = now_ms;
    send_status(rx, UPD_VERDICT, rx->next_seq, status, rx->verdict.text);
    return true;
}
