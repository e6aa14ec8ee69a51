/* wisp-push.c — pushes a signed module into a running Wisp over its update
 * serial line (a unix socket on the host, QEMU's COM2), shows progress,
 * and prints the kernel's verdict.
 *
 *     wisp-push SOCKET MODULE_FILE [--name NAME] [--timeout S]
 *
 * Exit status: 0 the new version is live; 1 the kernel refused the update
 * (its reason printed); 2 usage or unreadable file; 3 cannot connect;
 * 4 timeout; 5 transfer aborted (by the kernel, or the line closed).
 */
#include "updater/protocol.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum {
    EXIT_LIVE = 0,
    EXIT_REFUSED = 1,
    EXIT_USAGE = 2,
    EXIT_CONNECT = 3,
    EXIT_TIMEOUT = 4,
    EXIT_ABORTED = 5,
};

struct options {
    const char *socket_path, *module_path, *name;
    double timeout_s;
    unsigned window, chunk, retransmit_ms;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(void)
{
    fprintf(stderr, "usage: wisp-push SOCKET MODULE_FILE [--name NAME] [--timeout S]\n"
                    "                 [--window N] [--chunk BYTES] [--retransmit MS]\n"
                    "Pushes MODULE_FILE (a signed module section) over the update line at\n"
                    "SOCKET and prints the kernel's verdict. NAME defaults to the file name\n"
                    "without its directory and extension.\n"
                    "Exit: 0 live, 1 refused, 2 usage, 3 cannot connect, 4 timeout, 5 aborted.\n");
    exit(EXIT_USAGE);
}

static void parse_options(int argc, char **argv, struct options *o)
{
    int positional = 0;
    *o = (struct options){ .timeout_s = 60 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (!strcmp(a, "--timeout") && has_value)
            o->timeout_s = atof(argv[++i]);
        else if (!strcmp(a, "--name") && has_value)
            o->name = argv[++i];
        else if (!strcmp(a, "--window") && has_value)
            o->window = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--chunk") && has_value)
            o->chunk = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--retransmit") && has_value)
            o->retransmit_ms = (unsigned)atoi(argv[++i]);
        else if (a[0] == '-')
            usage();
        else if (positional == 0 && ++positional)
            o->socket_path = a;
        else if (positional == 1 && ++positional)
            o->module_path = a;
        else
            usage();
    }
    if (positional != 2 || o->timeout_s <= 0)
        usage();
}

/* The module name: --name, else the file name up to its first dot. */
static void module_name(const struct options *o, char *out, size_t size)
{
    if (o->name) {
        snprintf(out, size, "%s", o->name);
        return;
    }
    const char *base = strrchr(o->module_path, '/');
    base = base ? base + 1 : o->module_path;
    snprintf(out, size, "%.*s", (int)strcspn(base, "."), base);
}

static uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "wisp-push: cannot read %s: %s\n", path, strerror(errno));
        exit(EXIT_USAGE);
    }
    if (st.st_size <= 0 || st.st_size > UPD_SENDER_SIZE_MAX) {
        fprintf(stderr, "wisp-push: %s: size %lld is not between 1 and %d bytes\n", path,
                (long long)st.st_size, UPD_SENDER_SIZE_MAX);
        exit(EXIT_USAGE);
    }
    uint8_t *data = malloc((size_t)st.st_size);
    if (!data || fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        fprintf(stderr, "wisp-push: cannot read %s\n", path);
        exit(EXIT_USAGE);
    }
    fclose(f);
    *size = (uint32_t)st.st_size;
    return data;
}

static int connect_line(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "wisp-push: socket path too long: %s\n", path);
        exit(EXIT_CONNECT);
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        fprintf(stderr, "wisp-push: cannot connect to %s: %s\n", path, strerror(errno));
        exit(EXIT_CONNECT);
    }
    return fd;
}

/* ---------------------------------------------------------------- progress */

struct progress {
    bool tty;
    uint64_t start_ms, last_ms;
    int last_percent; /* plain mode: last percentage printed */
    bool summarised;
};

static double kib_per_s(uint32_t bytes, uint64_t elapsed_ms)
{
    return bytes / 1024.0 / ((elapsed_ms ? elapsed_ms : 1) / 1000.0);
}

static void show_progress(struct progress *p, const struct upd_sender *tx, uint64_t now, bool final)
{
    uint32_t done = tx->acked_bytes, total = tx->config.size;
    int percent = (int)((uint64_t)done * 100 / total);
    double rate = kib_per_s(done, now - p->start_ms);

    if (p->tty) {
        if (!final && now - p->last_ms < 100)
            return;
        char bar[31];
        int filled = percent * 30 / 100;
        for (int i = 0; i < 30; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %3d%%  %u/%u bytes  %.1f KiB/s ", bar, percent, done, total, rate);
        if (final)
            fputc('\n', stderr);
    } else if (percent / 10 > p->last_percent / 10 || (final && percent != p->last_percent)) {
        p->last_percent = percent;
        fprintf(stderr, "wisp-push: %3d%%  %u/%u bytes  %.1f KiB/s\n", percent, done, total, rate);
    }
    p->last_ms = now;
}

/* Every byte is acknowledged: the final bar and the throughput, once. */
static void summarise(struct progress *p, const struct upd_sender *tx)
{
    uint64_t now = now_ms();
    if (p->summarised)
        return;
    p->summarised = true;
    show_progress(p, tx, now, true);
    fprintf(stderr,
            "wisp-push: %u bytes in %.2f s (%.1f KiB/s), %u frames retransmitted; "
            "waiting for the verdict\n",
            tx->config.size, (now - p->start_ms) / 1000.0,
            kib_per_s(tx->config.size, now - p->start_ms), tx->retransmissions);
}

/* ---------------------------------------------------------------- the transfer */

static bool write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Runs the sender until a verdict, a failure, the line closing or the
 * deadline. Returns the exit status. */
static int run_transfer(int fd, struct upd_sender *tx, const struct options *o)
{
    static uint8_t out[UPD_WIRE_MAX * UPD_WINDOW_MAX];
    uint8_t in[4096];
    struct progress progress = { isatty(STDERR_FILENO), now_ms(), 0, -10, false };
    uint64_t deadline = progress.start_ms + (uint64_t)(o->timeout_s * 1000);

    for (;;) {
        uint64_t now = now_ms();
        size_t n = upd_sender_poll(tx, now, out, sizeof(out));
        if (n && !write_all(fd, out, n))
            break; /* the line closed */
        if (tx->state == UPD_TX_DONE || tx->state == UPD_TX_FAILED)
            break;
        if (now >= deadline) {
            n = upd_sender_abort(tx, UPD_TIMEOUT, "wisp-push gave up (--timeout)", out,
                                 sizeof(out));
            write_all(fd, out, n);
            break;
        }
        struct pollfd pfd = { fd, POLLIN, 0 };
        int r = poll(&pfd, 1, 5);
        if (r > 0) {
            ssize_t got = read(fd, in, sizeof(in));
            if (got <= 0 && !(got < 0 && errno == EINTR))
                break;
            if (got > 0)
                upd_sender_feed(tx, in, (size_t)got, now_ms());
        }
        if (tx->state == UPD_TX_WAIT_VERDICT || tx->state == UPD_TX_DONE)
            summarise(&progress, tx);
        else
            show_progress(&progress, tx, now_ms(), false);
    }
    if (!progress.summarised)
        show_progress(&progress, tx, now_ms(), true);

    if (tx->state == UPD_TX_DONE) {
        printf("%s\n", tx->verdict.text[0] ? tx->verdict.text : "(no reason given)");
        return tx->verdict.code == 0 ? EXIT_LIVE : EXIT_REFUSED;
    }
    if (tx->state != UPD_TX_FAILED) {
        upd_sender_abort(tx, UPD_DISCONNECTED, "", out, sizeof(out));
        fprintf(stderr, "wisp-push: transfer aborted: the line closed after %u of %u bytes\n",
                tx->acked_bytes, tx->config.size);
        return EXIT_ABORTED;
    }
    if (tx->failure.code == UPD_TIMEOUT) {
        fprintf(stderr, "wisp-push: timeout after %u of %u bytes: %s\n", tx->acked_bytes,
                tx->config.size, tx->failure.text);
        return EXIT_TIMEOUT;
    }
    fprintf(stderr, "wisp-push: transfer aborted by the kernel (%s): %s\n",
            upd_reason_name((enum upd_reason)tx->failure.code), tx->failure.text);
    return EXIT_ABORTED;
}

int main(int argc, char **argv)
{
    struct options o;
    char name[UPD_NAME_MAX + 2];
    uint32_t size;
    static struct upd_sender tx;

    parse_options(argc, argv, &o);
    module_name(&o, name, sizeof(name));
    uint8_t *data = read_file(o.module_path, &size);
    signal(SIGPIPE, SIG_IGN);
    uint64_t start = now_ms();
    struct upd_sender_config config = {
        .payload = data,
        .size = size,
        .name = name,
        .transfer_id = (uint32_t)(start * 2654435761u) ^ ((uint32_t)getpid() << 16),
        .chunk_size = o.chunk,
        .window = o.window,
        .retransmit_ms = o.retransmit_ms,
    };
    if (!upd_sender_init(&tx, &config, start)) {
        fprintf(stderr, "wisp-push: %s: %s\n", o.module_path, tx.failure.text);
        return EXIT_USAGE;
    }
    int fd = connect_line(o.socket_path);
    fprintf(stderr, "wisp-push: pushing %s (%u bytes) to %s\n", name, size, o.socket_path);
    int status = run_transfer(fd, &tx, &o);
    close(fd);
    free(data);
    return status;
}
