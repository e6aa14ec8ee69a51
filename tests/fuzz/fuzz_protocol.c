/* fuzz_protocol.c — libFuzzer harness for the update transport: arbitrary
 * bytes from the line into the receiver (or, in sender mode, into a
 * sender as replies), in chunks, with time moving and idle timeouts firing.
 *
 * Input: byte 0 flags (bit 0: sender mode; bit 1: verdict at once rather
 * than one chunk later; bits 4-7: chunk size class), byte 1 ms per chunk,
 * in sender mode 4 bytes of transfer id (little-endian), then the line
 * bytes. The sender pushes 3000 bytes named "counter". Seeds in tests/fuzz/corpus/protocol are real
 * sessions recorded by wisp-recv-sim (--record / --record-out).
 *
 * Checked on every input (abort on violation): a payload handed on has the
 * announced size, within the limit, and the announced SHA-256; every reply
 * the receiver queues is a well-formed frame; the sender's window stays
 * ordered and its acknowledged bytes within the module.
 */
#include "updater/protocol.h"
#include <stdlib.h>
#include <string.h>

enum { FUZZ_CAPACITY = 16384, FUZZ_MAX_SIZE = 12000 };

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void check_replies(struct upd_receiver *rx)
{
    static uint8_t out[UPD_TX_QUEUE];
    struct upd_decoder decoder;
    struct upd_frame frame;
    enum upd_reason reason;
    size_t n = upd_receiver_take(rx, out, sizeof(out));

    check(rx->tx_length == 0);
    upd_decoder_init(&decoder);
    for (size_t i = 0; i < n; i++)
        if (upd_decoder_push(&decoder, out[i], &frame, &reason))
            check(reason == UPD_OK);
    check(n == 0 || (out[0] == UPD_FLAG && out[n - 1] == UPD_FLAG));
}

static void check_payload(const struct upd_receiver *rx)
{
    struct upd_payload p;
    uint8_t digest[UPD_SHA256_SIZE];
    br_sha256_context sha;

    check(upd_receiver_payload(rx, &p));
    check(p.size > 0 && p.size <= FUZZ_MAX_SIZE && p.size == rx->start.total_size);
    br_sha256_init(&sha);
    br_sha256_update(&sha, p.data, p.size);
    br_sha256_out(&sha, digest);
    check(memcmp(digest, p.sha256, sizeof(digest)) == 0);
}

static void fuzz_receiver(const uint8_t *data, size_t size, uint8_t flags, uint8_t step)
{
    static uint8_t buffer[FUZZ_CAPACITY];
    static struct upd_receiver rx;
    struct upd_receiver_config config = { buffer, sizeof(buffer), FUZZ_MAX_SIZE, 1000, NULL, NULL };
    size_t chunk = 1 + (flags >> 4) * 37u;
    uint64_t now = 1000;
    bool verdict_due = false;

    upd_receiver_init(&rx, &config);
    for (size_t at = 0; at < size; at += chunk) {
        size_t n = size - at < chunk ? size - at : chunk;
        if (verdict_due) {
            check(upd_receiver_verdict(&rx, 0, "live", now));
            verdict_due = false;
        }
        if (upd_receiver_feed(&rx, data + at, n, now) == UPD_EVENT_PAYLOAD) {
            check_payload(&rx);
            if (flags & 2)
                check(upd_receiver_verdict(&rx, 1, "refused: fuzz", now));
            else
                verdict_due = true;
        }
        check(rx.received <= rx.start.total_size || rx.state == UPD_RX_IDLE);
        check_replies(&rx);
        now += step;
        upd_receiver_tick(&rx, now);
    }
}

static void fuzz_sender(const uint8_t *data, size_t size, uint8_t flags, uint8_t step)
{
    if (size < 4)
        return;
    static uint8_t module[3000], out[UPD_WIRE_MAX * 4];
    static struct upd_sender tx;
    struct upd_sender_config config = { .payload = module,
                                        .size = sizeof(module),
                                        .name = "counter",
                                        .transfer_id = upd_get_u32(data),
                                        .window = 4,
                                        .retransmit_ms = 50 };
    size_t chunk = 1 + (flags >> 4) * 37u;
    uint64_t now = 1000;

    data += 4;
    size -= 4;
    for (size_t i = 0; i < sizeof(module); i++)
        module[i] = (uint8_t)(i * 131);
    check(upd_sender_init(&tx, &config, now));
    for (size_t at = 0; at < size; at += chunk) {
        size_t n = size - at < chunk ? size - at : chunk;
        upd_sender_poll(&tx, now, out, sizeof(out));
        upd_sender_feed(&tx, data + at, n, now);
        check(tx.base <= tx.next && tx.next <= tx.high && tx.high <= tx.end_seq + 1);
        check(tx.acked_bytes <= tx.config.size);
        now += step;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    if (data[0] & 1)
        fuzz_sender(data + 2, size - 2, data[0], data[1]);
    else
        fuzz_receiver(data + 2, size - 2, data[0], data[1]);
    return 0;
}
