/* test_protocol.c — the update transport (updater/protocol.h): CRC-32,
 * frame encoding and decoding, the receiver and the sender, alone and
 * talking over a simulated line that drops, corrupts, duplicates,
 * reorders, truncates frames and injects garbage (deterministic PRNG).
 *
 * The property every line test checks: the receiver hands on a payload
 * only when it is byte for byte the one sent; otherwise the transfer
 * fails cleanly and the receiver is ready for the next one.
 */
#include "htest.h"
#include "updater/protocol.h"
#include <stdio.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* True with probability per_mille / 1000. */
static bool chance(uint64_t *rng, unsigned per_mille) { return rng_next(rng) % 1000 < per_mille; }

static void fill_random(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t rng = seed | 1;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rng_next(&rng);
}

struct log_record {
    int calls;
    enum upd_reason last;
    char message[200];
};

static void record_log(void *arg, enum upd_reason reason, const char *message)
{
    struct log_record *log = arg;
    log->calls++;
    log->last = reason;
    snprintf(log->message, sizeof(log->message), "%s", message);
}

/* Encodes one frame; returns its wire length. */
static size_t make_frame(uint8_t *out, uint8_t type, uint32_t id, uint32_t seq, const void *payload,
                         uint16_t length)
{
    struct upd_frame f = { type, length, id, seq, payload };
    return upd_frame_encode(&f, out, UPD_WIRE_MAX);
}

static size_t make_start(uint8_t *out, uint32_t id, const uint8_t *data, uint32_t size,
                         const char *name)
{
    uint8_t payload[UPD_PAYLOAD_MAX], sha[32];
    br_sha256_context c;
    br_sha256_init(&c);
    br_sha256_update(&c, data, size);
    br_sha256_out(&c, sha);
    size_t n = upd_start_payload(payload, size, sha, name);
    return make_frame(out, UPD_START, id, 0, payload, (uint16_t)n);
}

static size_t make_data(uint8_t *out, uint32_t id, uint32_t seq, uint32_t offset,
                        const uint8_t *data, uint32_t length)
{
    uint8_t payload[UPD_PAYLOAD_MAX];
    upd_put_u32(payload, offset);
    memcpy(payload + 4, data, length);
    return make_frame(out, UPD_DATA, id, seq, payload, (uint16_t)(4 + length));
}

/* Decodes the receiver's queued replies; returns how many, the last in *last. */
static int take_replies(struct upd_receiver *rx, struct upd_frame *last, uint8_t *storage)
{
    static struct upd_decoder d;
    uint8_t out[UPD_TX_QUEUE];
    size_t n = upd_receiver_take(rx, out, sizeof(out));
    struct upd_frame f;
    enum upd_reason r;
    int count = 0;

    upd_decoder_init(&d);
    for (size_t i = 0; i < n; i++) {
        if (upd_decoder_push(&d, out[i], &f, &r) && r == UPD_OK) {
            *last = f;
            memcpy(storage, f.payload, f.length);
            last->payload = storage;
            count++;
        }
    }
    return count;
}

/* ---------------------------------------------------------------- CRC and frames */

HTEST(protocol_crc32_matches_standard_vectors)
{
    const char *fox = "The quick brown fox jumps over the lazy dog";
    EXPECT_EQ(upd_crc32(0, "", 0), 0u);
    EXPECT_EQ(upd_crc32(0, "a", 1), 0xe8b7be43u);
    EXPECT_EQ(upd_crc32(0, "123456789", 9), 0xcbf43926u);
    EXPECT_EQ(upd_crc32(0, fox, strlen(fox)), 0x414fa339u);
    EXPECT_EQ(upd_crc32(upd_crc32(0, fox, 10), fox + 10, strlen(fox) - 10), 0x414fa339u);
}

HTEST(protocol_frame_round_trips_with_every_byte_value)
{
    uint8_t payload[UPD_PAYLOAD_MAX], wire[UPD_WIRE_MAX];
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 7);
    memset(payload, UPD_FLAG, 40); /* worst case: every byte escaped */
    memset(payload + 40, UPD_ESCAPE, 40);
    size_t n = make_frame(wire, UPD_DATA, 0x7e7d7e7d, 0x12345678, payload, sizeof(payload));
    ASSERT_GE(n, sizeof(payload) + 17);
    EXPECT_EQ(wire[0], UPD_FLAG);
    EXPECT_EQ(wire[n - 1], UPD_FLAG);
    for (size_t i = 1; i + 1 < n; i++)
        if (wire[i] == UPD_FLAG)
            HTEST_FAIL("flag byte inside the frame at %zu", i);

    struct upd_decoder d;
    struct upd_frame f;
    enum upd_reason r;
    int frames = 0;
    upd_decoder_init(&d);
    for (size_t i = 0; i < n; i++)
        if (upd_decoder_push(&d, wire[i], &f, &r)) {
            frames++;
            ASSERT_EQ(r, UPD_OK);
        }
    ASSERT_EQ(frames, 1);
    EXPECT_EQ(f.type, UPD_DATA);
    EXPECT_EQ(f.transfer_id, 0x7e7d7e7du);
    EXPECT_EQ(f.seq, 0x12345678u);
    ASSERT_EQ(f.length, sizeof(payload));
    EXPECT_MEM_EQ(f.payload, payload, sizeof(payload));
}

HTEST(protocol_encode_refuses_oversized_payload_and_small_buffer)
{
    static uint8_t payload[UPD_PAYLOAD_MAX + 1], wire[UPD_WIRE_MAX];
    struct upd_frame f = { UPD_DATA, UPD_PAYLOAD_MAX + 1, 1, 1, payload };
    EXPECT_EQ(upd_frame_encode(&f, wire, sizeof(wire)), 0u);
    f.length = 10;
    EXPECT_EQ(upd_frame_encode(&f, wire, 20), 0u);
    EXPECT_GT(upd_frame_encode(&f, wire, sizeof(wire)), 20u);
}

/* Feeds bytes to a fresh decoder; returns the reason of the first frame event. */
static enum upd_reason decode_one(const uint8_t *bytes, size_t n)
{
    static struct upd_decoder d;
    struct upd_frame f;
    enum upd_reason r;
    upd_decoder_init(&d);
    for (size_t i = 0; i < n; i++)
        if (upd_decoder_push(&d, bytes[i], &f, &r))
            return r;
    return UPD_REASON_COUNT;
}

HTEST(protocol_decoder_names_each_malformed_frame)
{
    uint8_t wire[UPD_WIRE_MAX + 8], body[64];
    size_t n = make_frame(wire, UPD_END, 1, 2, NULL, 0);

    wire[5] ^= 0x01; /* one bit of the transfer id */
    EXPECT_EQ(decode_one(wire, n), UPD_BAD_CRC);

    uint8_t short_frame[] = { UPD_FLAG, 1, 2, 3, UPD_FLAG };
    EXPECT_EQ(decode_one(short_frame, sizeof(short_frame)), UPD_FRAME_SHORT);

    uint8_t bad_escape[] = { UPD_FLAG, 1, UPD_ESCAPE, 0x41, 2, UPD_FLAG };
    EXPECT_EQ(decode_one(bad_escape, sizeof(bad_escape)), UPD_BAD_ESCAPE);
    uint8_t escape_flag[] = { UPD_FLAG, 1, 2, UPD_ESCAPE, UPD_FLAG };
    EXPECT_EQ(decode_one(escape_flag, sizeof(escape_flag)), UPD_BAD_ESCAPE);

    static uint8_t long_frame[UPD_BODY_MAX + 10];
    memset(long_frame, 0x41, sizeof(long_frame));
    long_frame[0] = UPD_FLAG;
    EXPECT_EQ(decode_one(long_frame, sizeof(long_frame)), UPD_FRAME_LONG);

    /* Hand-built bodies with a valid CRC but a bad header. */
    struct {
        uint8_t version, type;
        uint16_t length;
        enum upd_reason expect;
    } cases[] = {
        { 2, UPD_END, 0, UPD_BAD_VERSION },
        { 1, 0x55, 0, UPD_BAD_TYPE },
        { 1, UPD_END, 3, UPD_BAD_LENGTH },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        memset(body, 0, sizeof(body));
        body[0] = cases[c].version;
        body[1] = cases[c].type;
        body[2] = (uint8_t)cases[c].length;
        upd_put_u32(body + 12, upd_crc32(0, body, 12));
        wire[0] = UPD_FLAG;
        memcpy(wire + 1, body, 16); /* no 0x7e/0x7d in these bodies */
        wire[17] = UPD_FLAG;
        EXPECT_EQ(decode_one(wire, 18), cases[c].expect);
    }
}

HTEST(protocol_decoder_resynchronises_after_garbage)
{
    uint8_t wire[4096];
    size_t n = 0;
    fill_random(wire, 300, 42);
    n = 300;
    n += make_frame(wire + n, UPD_END, 9, 3, NULL, 0);
    struct upd_decoder d;
    struct upd_frame f;
    enum upd_reason r;
    int good = 0;
    upd_decoder_init(&d);
    for (size_t i = 0; i < n; i++)
        if (upd_decoder_push(&d, wire[i], &f, &r) && r == UPD_OK)
            good++;
    ASSERT_EQ(good, 1);
    EXPECT_EQ(f.transfer_id, 9u);
    EXPECT_EQ(f.seq, 3u);
}

HTEST(protocol_start_payload_round_trips_and_rejects_bad_names)
{
    uint8_t payload[UPD_PAYLOAD_MAX], sha[32];
    struct upd_start s;
    memset(sha, 0xab, sizeof(sha));
    size_t n = upd_start_payload(payload, 12345, sha, "counter-v2.mod");
    struct upd_frame f = { UPD_START, (uint16_t)n, 1, 0, payload };
    ASSERT_TRUE(upd_parse_start(&f, &s));
    EXPECT_EQ(s.total_size, 12345u);
    EXPECT_STREQ(s.name, "counter-v2.mod");
    EXPECT_MEM_EQ(s.sha256, sha, 32);
    payload[37] = '/';
    EXPECT_FALSE(upd_parse_start(&f, &s));
    EXPECT_FALSE(upd_valid_name(""));
    EXPECT_FALSE(upd_valid_name("a b"));
    EXPECT_TRUE(upd_valid_name("counter"));
}

/* ---------------------------------------------------------------- the simulated line */

struct impairments {
    unsigned drop, corrupt, duplicate, reorder, truncate, garbage; /* per mille, per frame */
};

struct sim {
    uint64_t rng;
    struct impairments line;
    struct upd_sender tx;
    struct upd_receiver rx;
    uint8_t *rx_buffer;
    const uint8_t *payload;
    uint32_t size;
    int payloads_handed_on, corrupt_payloads;
    int verdict_delay_steps, verdict_due;
    uint16_t verdict_status;
    const char *verdict_text;
    uint8_t held[UPD_WIRE_MAX]; /* a frame held back to reorder */
    size_t held_length;
    bool held_for_rx;
};

/* Delivers one wire frame through the impairments to one side. */
static void deliver(struct sim *s, bool to_rx, const uint8_t *frame, size_t n, uint64_t now)
{
    uint8_t copy[UPD_WIRE_MAX + 64];
    size_t length = n;
    memcpy(copy, frame, n);

    if (chance(&s->rng, s->line.drop))
        return;
    if (chance(&s->rng, s->line.corrupt))
        copy[rng_next(&s->rng) % n] ^= (uint8_t)(1u << (rng_next(&s->rng) % 8));
    if (chance(&s->rng, s->line.truncate))
        length = rng_next(&s->rng) % n;
    if (chance(&s->rng, s->line.garbage)) {
        uint8_t junk[40];
        size_t k = 1 + rng_next(&s->rng) % sizeof(junk);
        for (size_t i = 0; i < k; i++)
            junk[i] = (uint8_t)rng_next(&s->rng);
        if (to_rx) {
            if (upd_receiver_feed(&s->rx, junk, k, now) == UPD_EVENT_PAYLOAD)
                s->verdict_due = s->verdict_delay_steps + 1;
        } else {
            upd_sender_feed(&s->tx, junk, k, now);
        }
    }
    if (chance(&s->rng, s->line.reorder) && s->held_length == 0) {
        memcpy(s->held, copy, length);
        s->held_length = length;
        s->held_for_rx = to_rx;
        return;
    }
    int times = chance(&s->rng, s->line.duplicate) ? 2 : 1;
    for (int t = 0; t < times; t++) {
        if (to_rx) {
            if (upd_receiver_feed(&s->rx, copy, length, now) == UPD_EVENT_PAYLOAD) {
                struct upd_payload p;
                s->payloads_handed_on++;
                if (!upd_receiver_payload(&s->rx, &p) || p.size != s->size ||
                    memcmp(p.data, s->payload, s->size) != 0)
                    s->corrupt_payloads++;
                s->verdict_due = s->verdict_delay_steps + 1;
            }
        } else {
            upd_sender_feed(&s->tx, copy, length, now);
        }
    }
    if (s->held_length && rng_next(&s->rng) % 2) {
        size_t held = s->held_length;
        s->held_length = 0;
        deliver(s, s->held_for_rx, s->held, held, now);
    }
}

/* Splits a run of encoded frames (each FLAG ... FLAG) and delivers each. */
static void deliver_frames(struct sim *s, bool to_rx, const uint8_t *bytes, size_t n, uint64_t now)
{
    size_t start = 0;
    for (size_t i = 1; i < n; i++) {
        if (bytes[i] == UPD_FLAG && bytes[start] == UPD_FLAG && i > start) {
            deliver(s, to_rx, bytes + start, i - start + 1, now);
            start = i + 1;
        }
    }
}

/* Runs a transfer to its end (or max_steps of 1 ms). */
static enum upd_sender_state sim_run(struct sim *s, uint64_t *now, int max_steps)
{
    static uint8_t out[UPD_WIRE_MAX * UPD_WINDOW_MAX], back[UPD_TX_QUEUE];
    for (int step = 0; step < max_steps; step++, (*now)++) {
        size_t n = upd_sender_poll(&s->tx, *now, out, sizeof(out));
        deliver_frames(s, true, out, n, *now);
        upd_receiver_tick(&s->rx, *now);
        if (s->verdict_due && --s->verdict_due == 0)
            upd_receiver_verdict(&s->rx, s->verdict_status, s->verdict_text, *now);
        n = upd_receiver_take(&s->rx, back, sizeof(back));
        deliver_frames(s, false, back, n, *now);
        if ((s->tx.state == UPD_TX_DONE && !s->tx.ack_verdict) || s->tx.state == UPD_TX_FAILED)
            break;
    }
    return s->tx.state;
}

static void sim_init(struct sim *s, uint64_t seed, const uint8_t *payload, uint32_t size,
                     uint8_t *rx_buffer, uint32_t capacity)
{
    memset(s, 0, sizeof(*s));
    s->rng = seed * 0x9e3779b97f4a7c15ull | 1;
    s->payload = payload;
    s->size = size;
    s->rx_buffer = rx_buffer;
    s->verdict_text = "live: counter v2";
    struct upd_receiver_config rc = { rx_buffer, capacity, 0, 400, NULL, NULL };
    upd_receiver_init(&s->rx, &rc);
}

static bool sim_start(struct sim *s, uint32_t id, uint32_t window, uint64_t now)
{
    struct upd_sender_config sc = { .payload = s->payload,
                                    .size = s->size,
                                    .name = "counter",
                                    .transfer_id = id,
                                    .window = window,
                                    .retransmit_ms = 30,
                                    .max_retries = 20 };
    return upd_sender_init(&s->tx, &sc, now);
}

enum { BIG = 64 * 1024 };
static uint8_t payload_big[BIG], rx_big[BIG];

HTEST(protocol_transfer_over_clean_line_delivers_payload_and_verdict)
{
    static struct sim s;
    uint64_t now = 1000;
    fill_random(payload_big, BIG, 1);
    sim_init(&s, 1, payload_big, BIG, rx_big, BIG);
    ASSERT_TRUE(sim_start(&s, 0xfeed, 8, now));
    ASSERT_EQ(sim_run(&s, &now, 10000), UPD_TX_DONE);
    EXPECT_EQ(s.payloads_handed_on, 1);
    EXPECT_EQ(s.corrupt_payloads, 0);
    EXPECT_EQ(s.tx.verdict.code, 0);
    EXPECT_STREQ(s.tx.verdict.text, "live: counter v2");
    EXPECT_EQ(s.tx.retransmissions, 0u);
    EXPECT_EQ(s.tx.acked_bytes, (uint32_t)BIG);
    EXPECT_EQ(s.rx.state, UPD_RX_IDLE); /* the sender acknowledged the verdict */
    for (int r = 1; r < UPD_REASON_COUNT; r++)
        if (s.rx.counters.rejected[r])
            HTEST_FAIL("clean line rejected %u frames: %s", s.rx.counters.rejected[r],
                       upd_reason_name(r));
}

HTEST(protocol_stop_and_wait_and_odd_chunks_deliver_payload)
{
    static struct sim s;
    uint64_t now = 0;
    fill_random(payload_big, 5000, 2);
    sim_init(&s, 2, payload_big, 5000, rx_big, BIG);
    struct upd_sender_config sc = { .payload = payload_big,
                                    .size = 5000,
                                    .name = "c",
                                    .transfer_id = 7,
                                    .window = 1,
                                    .chunk_size = 333 };
    ASSERT_TRUE(upd_sender_init(&s.tx, &sc, now));
    ASSERT_EQ(sim_run(&s, &now, 10000), UPD_TX_DONE);
    EXPECT_EQ(s.corrupt_payloads, 0);
    EXPECT_MEM_EQ(rx_big, payload_big, 5000);
}

/* The core property, over many seeds and every impairment at once. */
HTEST(protocol_lossy_line_never_hands_on_a_corrupt_payload)
{
    static struct sim s;
    static uint8_t payload[20000], rx_buffer[20000];
    int done = 0, failed = 0, retransmitted = 0;
    uint32_t rejected_crc = 0;

    for (uint64_t seed = 1; seed <= 300; seed++) {
        uint64_t now = seed * 100000;
        uint32_t size = 1 + (uint32_t)(seed * 7919 % sizeof(payload));
        fill_random(payload, size, seed);
        sim_init(&s, seed, payload, size, rx_buffer, sizeof(rx_buffer));
        unsigned level = (unsigned)(seed % 5) * 25; /* 0..100 per mille of each */
        s.line = (struct impairments){ level, level, level, level, level / 2, level };
        s.verdict_delay_steps = (int)(seed % 4);
        ASSERT_TRUE(sim_start(&s, (uint32_t)seed, 1 + (uint32_t)(seed % 12), now));
        enum upd_sender_state end = sim_run(&s, &now, 60000);
        if (s.corrupt_payloads)
            HTEST_FAIL("seed %llu: a corrupt payload was handed on", (unsigned long long)seed);
        if (end == UPD_TX_DONE) {
            done++;
            if (s.payloads_handed_on != 1)
                HTEST_FAIL("seed %llu: done, but %d payloads handed on", (unsigned long long)seed,
                           s.payloads_handed_on);
        } else if (end == UPD_TX_FAILED) {
            failed++;
        } else {
            HTEST_FAIL("seed %llu: transfer neither done nor failed (state %d, base %u/%u)",
                       (unsigned long long)seed, end, s.tx.base, s.tx.end_seq);
        }
        retransmitted += s.tx.retransmissions > 0;
        rejected_crc += s.rx.counters.rejected[UPD_BAD_CRC];
    }
    /* A line this bad still gets most transfers through by retransmission. */
    EXPECT_GE(done, 270);
    EXPECT_GT(retransmitted, 100);
    EXPECT_GT(rejected_crc, 100u);
    printf("    # lossy line: %d done, %d failed cleanly, %d retransmitted, %u bad CRCs\n", done,
           failed, retransmitted, rejected_crc);
}

/* ---------------------------------------------------------------- receiver behaviour */

static struct upd_receiver rx;
static struct log_record log_rec;
static uint8_t rx_buf[4096];

static void rx_setup(uint32_t max_size)
{
    struct upd_receiver_config rc = { rx_buf, sizeof(rx_buf), max_size, 100, record_log, &log_rec };
    memset(&log_rec, 0, sizeof(log_rec));
    upd_receiver_init(&rx, &rc);
}

static enum upd_event rx_feed(const uint8_t *bytes, size_t n, uint64_t now)
{
    return upd_receiver_feed(&rx, bytes, n, now);
}

HTEST(protocol_oversize_start_is_refused_with_its_reason)
{
    static struct sim s;
    uint64_t now = 0;
    fill_random(payload_big, 3000, 3);
    sim_init(&s, 3, payload_big, 3000, rx_big, BIG);
    struct upd_receiver_config rc = { rx_big, BIG, 2048, 400, record_log, &log_rec };
    memset(&log_rec, 0, sizeof(log_rec));
    upd_receiver_init(&s.rx, &rc);
    ASSERT_TRUE(sim_start(&s, 5, 8, now));
    ASSERT_EQ(sim_run(&s, &now, 1000), UPD_TX_FAILED);
    EXPECT_EQ(s.tx.failure.code, UPD_TOO_LARGE);
    EXPECT_STREQ(s.tx.failure.text,
                 "refused: module counter is 3000 bytes, the limit is 2048 bytes");
    EXPECT_EQ(s.rx.counters.rejected[UPD_TOO_LARGE], 1u);
    EXPECT_EQ(log_rec.last, UPD_TOO_LARGE);
    EXPECT_EQ(s.rx.state, UPD_RX_IDLE);
    EXPECT_EQ(s.payloads_handed_on, 0);
}

HTEST(protocol_idle_transfer_times_out_and_next_transfer_succeeds)
{
    uint8_t wire[UPD_WIRE_MAX], data[600];
    struct upd_frame reply;
    uint8_t store[UPD_PAYLOAD_MAX];
    fill_random(data, sizeof(data), 4);
    rx_setup(0);

    rx_feed(wire, make_start(wire, 1, data, sizeof(data), "m"), 1000);
    rx_feed(wire, make_data(wire, 1, 1, 0, data, 300), 1010);
    EXPECT_EQ(rx.state, UPD_RX_RECEIVING);
    upd_receiver_tick(&rx, 1109);
    EXPECT_EQ(rx.state, UPD_RX_RECEIVING);
    upd_receiver_tick(&rx, 1110); /* 100 ms after the last accepted frame */
    EXPECT_EQ(rx.state, UPD_RX_IDLE);
    EXPECT_EQ(rx.counters.rejected[UPD_TIMEOUT], 1u);
    EXPECT_EQ(rx.counters.transfers_dropped, 1u);
    EXPECT_EQ(log_rec.last, UPD_TIMEOUT);

    /* The rest of the old transfer is refused; a new START works. */
    take_replies(&rx, &reply, store);
    rx_feed(wire, make_data(wire, 1, 2, 300, data + 300, 300), 1200);
    EXPECT_EQ(take_replies(&rx, &reply, store), 1);
    EXPECT_EQ(reply.type, UPD_NAK);
    EXPECT_EQ(rx.counters.rejected[UPD_NO_TRANSFER], 1u);

    rx_feed(wire, make_start(wire, 2, data, sizeof(data), "m"), 1300);
    rx_feed(wire, make_data(wire, 2, 1, 0, data, 300), 1301);
    rx_feed(wire, make_data(wire, 2, 2, 300, data + 300, 300), 1302);
    ASSERT_EQ(rx_feed(wire, make_frame(wire, UPD_END, 2, 3, NULL, 0), 1303), UPD_EVENT_PAYLOAD);
    EXPECT_MEM_EQ(rx_buf, data, sizeof(data));
}

HTEST(protocol_transfer_cut_half_way_and_restarted_succeeds)
{
    static struct sim s;
    uint64_t now = 0;
    fill_random(payload_big, 30000, 5);
    sim_init(&s, 5, payload_big, 30000, rx_big, BIG);
    ASSERT_TRUE(sim_start(&s, 100, 8, now));
    sim_run(&s, &now, 2); /* START and one window, then the line goes dead */
    ASSERT_EQ(s.rx.state, UPD_RX_RECEIVING);
    ASSERT_GE(s.rx.received, 1u);
    ASSERT_TRUE(s.rx.received < 30000u);

    /* The sender is restarted: a new transfer id replaces the open one. */
    ASSERT_TRUE(sim_start(&s, 101, 8, now));
    ASSERT_EQ(sim_run(&s, &now, 10000), UPD_TX_DONE);
    EXPECT_EQ(s.rx.counters.rejected[UPD_ABORTED], 1u);
    EXPECT_EQ(s.rx.counters.transfers_started, 2u);
    EXPECT_EQ(s.rx.counters.transfers_completed, 1u);
    EXPECT_EQ(s.payloads_handed_on, 1);
    EXPECT_EQ(s.corrupt_payloads, 0);
}

HTEST(protocol_receiver_counts_each_rejection_reason)
{
    uint8_t wire[UPD_WIRE_MAX], data[100];
    fill_random(data, sizeof(data), 6);
    rx_setup(0);

    rx_feed(wire, make_data(wire, 9, 1, 0, data, 10), 0); /* no transfer */
    rx_feed(wire, make_start(wire, 9, data, sizeof(data), "m"), 0);
    rx_feed(wire, make_data(wire, 8, 1, 0, data, 10), 0);  /* another transfer */
    rx_feed(wire, make_data(wire, 9, 3, 10, data, 10), 0); /* seq 3 before 1 */
    rx_feed(wire, make_data(wire, 9, 4, 10, data, 10), 0); /* same round: no second NAK */
    rx_feed(wire, make_data(wire, 9, 1, 0, data, 50), 0);
    rx_feed(wire, make_data(wire, 9, 1, 0, data, 50), 0); /* duplicate */
    size_t n = make_data(wire, 9, 2, 50, data + 50, 50);
    wire[n / 2] ^= 0x10;
    rx_feed(wire, n, 0);                                                /* corrupted */
    rx_feed(wire, make_frame(wire, UPD_VERDICT, 9, 0, "\0\0\0", 3), 0); /* wrong way */

    const struct upd_counters *c = &rx.counters;
    EXPECT_EQ(c->rejected[UPD_NO_TRANSFER], 1u);
    EXPECT_EQ(c->rejected[UPD_WRONG_TRANSFER], 1u);
    EXPECT_EQ(c->rejected[UPD_OUT_OF_ORDER], 2u);
    EXPECT_EQ(c->rejected[UPD_DUPLICATE], 1u);
    EXPECT_EQ(c->rejected[UPD_BAD_CRC] + c->rejected[UPD_BAD_ESCAPE], 1u);
    EXPECT_EQ(c->rejected[UPD_BAD_TYPE], 1u);
    EXPECT_EQ(c->frames_accepted, 2u);
    EXPECT_EQ(log_rec.calls, 7);
    EXPECT_EQ(log_rec.last, UPD_BAD_TYPE);

    /* One NAK for the gap, not one per frame behind it. */
    struct upd_frame reply;
    uint8_t store[UPD_PAYLOAD_MAX];
    EXPECT_EQ(take_replies(&rx, &reply, store), 6); /* NAK, ACK, NAK, NAK, ACK, ACK */
}

HTEST(protocol_hash_mismatch_aborts_and_hands_nothing_on)
{
    static struct sim s;
    uint64_t now = 0;
    uint8_t wrong[32] = { 1 };
    fill_random(payload_big, 4000, 7);
    sim_init(&s, 7, payload_big, 4000, rx_big, BIG);
    struct upd_sender_config sc = {
        .payload = payload_big, .size = 4000, .name = "counter", .transfer_id = 77, .sha256 = wrong
    };
    ASSERT_TRUE(upd_sender_init(&s.tx, &sc, now));
    ASSERT_EQ(sim_run(&s, &now, 10000), UPD_TX_FAILED);
    EXPECT_EQ(s.tx.failure.code, UPD_HASH_MISMATCH);
    EXPECT_EQ(s.payloads_handed_on, 0);
    EXPECT_EQ(s.rx.counters.rejected[UPD_HASH_MISMATCH], 1u);
    EXPECT_EQ(s.rx.state, UPD_RX_IDLE);
}

HTEST(protocol_data_beyond_announced_size_aborts_transfer)
{
    uint8_t wire[UPD_WIRE_MAX], data[100];
    struct upd_frame reply;
    uint8_t store[UPD_PAYLOAD_MAX];
    fill_random(data, sizeof(data), 8);
    rx_setup(0);
    rx_feed(wire, make_start(wire, 3, data, 50, "m"), 0);
    rx_feed(wire, make_data(wire, 3, 1, 0, data, 60), 0);
    EXPECT_EQ(rx.state, UPD_RX_IDLE);
    EXPECT_EQ(rx.counters.rejected[UPD_BAD_OFFSET], 1u);
    EXPECT_EQ(take_replies(&rx, &reply, store), 2);
    EXPECT_EQ(reply.type, UPD_ABORT);
    EXPECT_EQ(reply.payload[0], UPD_BAD_OFFSET);
}

HTEST(protocol_end_before_all_bytes_aborts_transfer)
{
    uint8_t wire[UPD_WIRE_MAX], data[100];
    fill_random(data, sizeof(data), 9);
    rx_setup(0);
    rx_feed(wire, make_start(wire, 3, data, 100, "m"), 0);
    rx_feed(wire, make_data(wire, 3, 1, 0, data, 60), 0);
    EXPECT_EQ(rx_feed(wire, make_frame(wire, UPD_END, 3, 2, NULL, 0), 0), UPD_EVENT_NONE);
    EXPECT_EQ(rx.counters.rejected[UPD_SIZE_MISMATCH], 1u);
    EXPECT_EQ(rx.state, UPD_RX_IDLE);
}

HTEST(protocol_busy_receiver_refuses_start_until_verdict)
{
    uint8_t wire[UPD_WIRE_MAX], data[100];
    struct upd_frame reply;
    uint8_t store[UPD_PAYLOAD_MAX];
    struct upd_payload p;
    fill_random(data, sizeof(data), 10);
    rx_setup(0);
    rx_feed(wire, make_start(wire, 3, data, 100, "m"), 0);
    rx_feed(wire, make_data(wire, 3, 1, 0, data, 100), 0);
    ASSERT_EQ(rx_feed(wire, make_frame(wire, UPD_END, 3, 2, NULL, 0), 0), UPD_EVENT_PAYLOAD);
    ASSERT_TRUE(upd_receiver_payload(&rx, &p));
    EXPECT_EQ(p.size, 100u);
    EXPECT_STREQ(p.name, "m");

    take_replies(&rx, &reply, store);
    rx_feed(wire, make_start(wire, 4, data, 100, "m"), 500);
    EXPECT_EQ(take_replies(&rx, &reply, store), 1);
    EXPECT_EQ(reply.type, UPD_NAK);
    EXPECT_EQ(reply.payload[0], UPD_BUSY);
    upd_receiver_tick(&rx, 100000); /* no timeout while the caller owns the buffer */
    EXPECT_EQ(rx.state, UPD_RX_COMPLETE);

    /* A repeated END is answered with ACK, then with the verdict. */
    rx_feed(wire, make_frame(wire, UPD_END, 3, 2, NULL, 0), 100001);
    EXPECT_EQ(take_replies(&rx, &reply, store), 1);
    EXPECT_EQ(reply.type, UPD_ACK);
    ASSERT_TRUE(
        upd_receiver_verdict(&rx, 3, "refused: signature check failed for section m", 100002));
    EXPECT_FALSE(upd_receiver_verdict(&rx, 0, "twice", 100002));
    take_replies(&rx, &reply, store);
    rx_feed(wire, make_frame(wire, UPD_END, 3, 2, NULL, 0), 100003);
    EXPECT_EQ(take_replies(&rx, &reply, store), 1);
    EXPECT_EQ(reply.type, UPD_VERDICT);
    struct upd_status st;
    ASSERT_TRUE(upd_parse_status(&reply, &st));
    EXPECT_EQ(st.code, 3);
    EXPECT_STREQ(st.text, "refused: signature check failed for section m");

    rx_feed(wire, make_start(wire, 4, data, 100, "m"), 100004); /* now accepted */
    EXPECT_EQ(rx.state, UPD_RX_RECEIVING);
}

HTEST(protocol_refusing_verdict_reaches_the_sender_over_a_lossy_line)
{
    static struct sim s;
    uint64_t now = 0;
    fill_random(payload_big, 9000, 11);
    sim_init(&s, 11, payload_big, 9000, rx_big, BIG);
    s.line = (struct impairments){ 100, 50, 50, 50, 20, 50 };
    s.verdict_status = 2;
    s.verdict_text = "refused: manifest weakens contract lock_order of counter_get";
    s.verdict_delay_steps = 200;
    ASSERT_TRUE(sim_start(&s, 12, 4, now));
    ASSERT_EQ(sim_run(&s, &now, 60000), UPD_TX_DONE);
    EXPECT_EQ(s.tx.verdict.code, 2);
    EXPECT_STREQ(s.tx.verdict.text, s.verdict_text);
}

HTEST(protocol_sender_times_out_when_the_line_is_dead)
{
    static struct upd_sender tx;
    static uint8_t out[UPD_WIRE_MAX * UPD_WINDOW_MAX];
    uint8_t data[10] = { 0 };
    struct upd_sender_config sc = { .payload = data,
                                    .size = 10,
                                    .name = "x",
                                    .transfer_id = 1,
                                    .retransmit_ms = 10,
                                    .max_retries = 3 };
    ASSERT_TRUE(upd_sender_init(&tx, &sc, 0));
    uint64_t now;
    for (now = 0; now < 1000 && tx.state != UPD_TX_FAILED; now++)
        upd_sender_poll(&tx, now, out, sizeof(out));
    EXPECT_EQ(tx.state, UPD_TX_FAILED);
    EXPECT_EQ(tx.failure.code, UPD_TIMEOUT);
    /* Sent at 0; resent after 10, 20, 40 ms (each wait doubled): at 10,
     * 30, 70; gives up 80 ms later, at 150. */
    EXPECT_EQ(now, 151u);
    EXPECT_EQ(tx.frames_sent, 4u);
}

HTEST(protocol_sender_backs_off_to_eight_times_the_wait_and_resets_on_progress)
{
    static struct upd_sender tx;
    static uint8_t out[UPD_WIRE_MAX * UPD_WINDOW_MAX];
    uint8_t data[10] = { 0 };
    struct upd_sender_config sc = { .payload = data,
                                    .size = 10,
                                    .name = "x",
                                    .transfer_id = 1,
                                    .retransmit_ms = 10,
                                    .max_retries = 8 };
    ASSERT_TRUE(upd_sender_init(&tx, &sc, 0));
    uint64_t sent_at[8];
    unsigned sends = 0;
    for (uint64_t now = 0; now < 2000 && sends < 8; now++)
        if (upd_sender_poll(&tx, now, out, sizeof(out)) > 0)
            sent_at[sends++] = now;
    ASSERT_EQ(sends, 8u);
    static const uint64_t want[8] = { 0, 10, 30, 70, 150, 230, 310, 390 }; /* waits 10..80, 80 */
    for (unsigned i = 0; i < 8; i++)
        EXPECT_EQ(sent_at[i], want[i]);
    /* The START's ACK is progress: the next wait is 10 ms again. */
    uint8_t wire[UPD_WIRE_MAX];
    uint8_t payload[4] = { 0 };
    struct upd_frame ack = { UPD_ACK, 4, 1, 1, payload };
    size_t n = upd_frame_encode(&ack, wire, sizeof(wire));
    upd_sender_feed(&tx, wire, n, 400);
    EXPECT_EQ(tx.retries, 0u);
    EXPECT_GT(upd_sender_poll(&tx, 400, out, sizeof(out)), 0u); /* DATA and END */
    EXPECT_EQ(upd_sender_poll(&tx, 409, out, sizeof(out)), 0u);
    EXPECT_GT(upd_sender_poll(&tx, 410, out, sizeof(out)), 0u); /* resent after 10 ms */
}

HTEST(protocol_sender_rejects_empty_module_and_bad_name)
{
    static struct upd_sender tx;
    uint8_t data[10] = { 0 };
    struct upd_sender_config sc = { .payload = data, .size = 0, .name = "x" };
    EXPECT_FALSE(upd_sender_init(&tx, &sc, 0));
    EXPECT_EQ(tx.failure.code, UPD_BAD_START);
    sc.size = 10;
    sc.name = "bad name";
    EXPECT_FALSE(upd_sender_init(&tx, &sc, 0));
}
