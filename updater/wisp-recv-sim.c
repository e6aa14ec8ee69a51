/* wisp-recv-sim.c — the kernel's update receiver on a host unix socket, so
 * wisp-push can be tested end to end without QEMU. It can impair the
 * line (both directions) to test recovery and failure.
 *
 *     wisp-recv-sim SOCKET [options]
 *       --max-size BYTES       refuse larger modules (default 1 MiB)
 *       --idle-timeout MS      drop an idle transfer (default 10000)
 *       --corrupt RATE         per byte: flip one bit      (e.g. 0.0005)
 *       --drop RATE            per byte: lose it
 *       --garbage RATE         per byte: insert a random byte before it
 *       --cut-after BYTES      close the connection after BYTES received
 *       --mute-after BYTES     ignore everything after BYTES received
 *       --refuse TEXT          answer with a refusing VERDICT (status 1)
 *       --verdict-delay MS     time "spent" applying the update
 *       --out FILE             write each completed payload there
 *       --record FILE          append every byte received (before impairment)
 *       --record-out FILE      append every byte sent (before impairment)
 *       --connections N        exit after N connections (default: never)
 *       --seed N               PRNG seed for the impairments
 *
 * The receiver keeps its state across connections, as the kernel's does
 * across host sessions. Logs and counters go to stderr.
 */
#include "updater/protocol.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct options {
    const char *socket_path, *refuse, *out_path, *record_path, *record_out_path;
    uint32_t max_size, idle_timeout_ms, verdict_delay_ms;
    double corrupt, drop, garbage;
    long cut_after, mute_after, connections;
    uint64_t seed;
};

static struct options opt = { .max_size = 1 << 20,
                              .idle_timeout_ms = 10000,
                              .cut_after = -1,
                              .mute_after = -1,
                              .connections = -1,
                              .seed = 1 };
static uint64_t rng_state;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double random_unit(void)
{
    rng_state ^= rng_state >> 12; /* xorshift64* */
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

static void usage(void)
{
    fprintf(stderr, "usage: wisp-recv-sim SOCKET [--max-size B] [--idle-timeout MS] "
                    "[--corrupt R] [--drop R] [--garbage R]\n"
                    "       [--cut-after B] [--mute-after B] [--refuse TEXT] "
                    "[--verdict-delay MS] [--out F] [--record F]\n"
                    "       [--record-out F]\n"
                    "       [--connections N] [--seed N]\n");
    exit(2);
}

static void parse_options(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (opt.socket_path)
                usage();
            opt.socket_path = a;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--max-size"))
            opt.max_size = (uint32_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--idle-timeout"))
            opt.idle_timeout_ms = (uint32_t)atoi(v);
        else if (!strcmp(a, "--corrupt"))
            opt.corrupt = atof(v);
        else if (!strcmp(a, "--drop"))
            opt.drop = atof(v);
        else if (!strcmp(a, "--garbage"))
            opt.garbage = atof(v);
        else if (!strcmp(a, "--cut-after"))
            opt.cut_after = atol(v);
        else if (!strcmp(a, "--mute-after"))
            opt.mute_after = atol(v);
        else if (!strcmp(a, "--refuse"))
            opt.refuse = v;
        else if (!strcmp(a, "--verdict-delay"))
            opt.verdict_delay_ms = (uint32_t)atoi(v);
        else if (!strcmp(a, "--out"))
            opt.out_path = v;
        else if (!strcmp(a, "--record"))
            opt.record_path = v;
        else if (!strcmp(a, "--record-out"))
            opt.record_out_path = v;
        else if (!strcmp(a, "--connections"))
            opt.connections = atol(v);
        else if (!strcmp(a, "--seed"))
            opt.seed = strtoull(v, NULL, 0);
        else
            usage();
    }
    if (!opt.socket_path)
        usage();
    rng_state = opt.seed * 0x9e3779b97f4a7c15ull | 1;
}

/* Applies the impairments to n bytes of in; returns the length of out
 * (which has room for 2 * n bytes). */
static size_t impair(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (opt.garbage > 0 && random_unit() < opt.garbage)
            out[k++] = (uint8_t)(random_unit() * 256);
        if (opt.drop > 0 && random_unit() < opt.drop)
            continue;
        uint8_t b = in[i];
        if (opt.corrupt > 0 && random_unit() < opt.corrupt)
            b ^= (uint8_t)(1u << (int)(random_unit() * 8));
        out[k++] = b;
    }
    return k;
}

static void log_rejection(void *arg __attribute__((unused)), enum upd_reason reason,
                          const char *message)
{
    fprintf(stderr, "wisp-recv-sim: [%s] %s\n", upd_reason_name(reason), message);
}

static void print_counters(const struct upd_receiver *rx)
{
    const struct upd_counters *c = &rx->counters;
    fprintf(stderr, "wisp-recv-sim: counters: accepted=%u started=%u completed=%u dropped=%u",
            c->frames_accepted, c->transfers_started, c->transfers_completed, c->transfers_dropped);
    for (int r = 1; r < UPD_REASON_COUNT; r++)
        if (c->rejected[r])
            fprintf(stderr, " %s=%u", upd_reason_name((enum upd_reason)r), c->rejected[r]);
    fputc('\n', stderr);
}

/* The payload is complete and verified: "apply" it and decide the verdict. */
static void complete(struct upd_receiver *rx, uint64_t *verdict_at)
{
    struct upd_payload p;
    upd_receiver_payload(rx, &p);
    fprintf(stderr, "wisp-recv-sim: payload complete: %s, %u bytes\n", p.name, p.size);
    if (opt.out_path) {
        FILE *f = fopen(opt.out_path, "wb");
        if (!f || fwrite(p.data, 1, p.size, f) != p.size || fclose(f) != 0)
            fprintf(stderr, "wisp-recv-sim: cannot write %s\n", opt.out_path);
    }
    *verdict_at = now_ms() + opt.verdict_delay_ms;
}

static void give_verdict(struct upd_receiver *rx)
{
    struct upd_payload p;
    char text[UPD_TEXT_MAX + 1];
    upd_receiver_payload(rx, &p);
    if (opt.refuse)
        snprintf(text, sizeof(text), "%s", opt.refuse);
    else
        snprintf(text, sizeof(text), "live: %s switched to the pushed version (%u bytes)", p.name,
                 p.size);
    upd_receiver_verdict(rx, opt.refuse ? 1 : 0, text, now_ms());
}

/* Serves one connection until it closes (or --cut-after closes it). */
static void serve(int fd, struct upd_receiver *rx, FILE *record, FILE *record_out)
{
    static uint8_t in[8192], impaired[16384], out[UPD_TX_QUEUE], out_impaired[2 * UPD_TX_QUEUE];
    static uint64_t verdict_at;
    long received = 0;

    for (;;) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        int r = poll(&pfd, 1, 5);
        if (r < 0 && errno != EINTR)
            return;
        if (r > 0) {
            ssize_t got = read(fd, in, sizeof(in));
            if (got <= 0)
                return;
            if (record)
                fwrite(in, 1, (size_t)got, record);
            received += got;
            if (opt.cut_after >= 0 && received >= opt.cut_after) {
                fprintf(stderr, "wisp-recv-sim: cutting the line after %ld bytes\n", received);
                return;
            }
            if (opt.mute_after >= 0 && received >= opt.mute_after)
                continue;
            size_t n = impair(in, (size_t)got, impaired);
            if (upd_receiver_feed(rx, impaired, n, now_ms()) == UPD_EVENT_PAYLOAD)
                complete(rx, &verdict_at);
        }
        upd_receiver_tick(rx, now_ms());
        if (rx->state == UPD_RX_COMPLETE && now_ms() >= verdict_at)
            give_verdict(rx);
        size_t n = upd_receiver_take(rx, out, sizeof(out));
        if (n) {
            if (record_out)
                fwrite(out, 1, n, record_out);
            n = impair(out, n, out_impaired);
            if (write(fd, out_impaired, n) != (ssize_t)n)
                return;
        }
    }
}

int main(int argc, char **argv)
{
    static uint8_t buffer[64 << 20];
    static struct upd_receiver rx;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    parse_options(argc, argv);
    if (opt.max_size > sizeof(buffer))
        opt.max_size = sizeof(buffer);
    struct upd_receiver_config config = { buffer,        sizeof(buffer),
                                          opt.max_size,  opt.idle_timeout_ms,
                                          log_rejection, NULL };
    upd_receiver_init(&rx, &config);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stderr, NULL, _IOLBF, 0);

    if (strlen(opt.socket_path) >= sizeof(addr.sun_path))
        usage();
    strcpy(addr.sun_path, opt.socket_path);
    unlink(opt.socket_path);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(listener, 1) != 0) {
        fprintf(stderr, "wisp-recv-sim: cannot listen on %s: %s\n", opt.socket_path,
                strerror(errno));
        return 1;
    }
    FILE *record = opt.record_path ? fopen(opt.record_path, "ab") : NULL;
    FILE *record_out = opt.record_out_path ? fopen(opt.record_out_path, "ab") : NULL;
    fprintf(stderr, "wisp-recv-sim: listening on %s\n", opt.socket_path);
    for (long served = 0; opt.connections < 0 || served < opt.connections; served++) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            continue;
        serve(fd, &rx, record, record_out);
        close(fd);
        print_counters(&rx);
    }
    if (record)
        fclose(record);
    if (record_out)
        fclose(record_out);
    unlink(opt.socket_path);
    return 0;
}
