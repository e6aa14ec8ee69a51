/* bench_loop.h — the benchmark, written once and instantiated per flavour.
 *
 * The including file defines, before including it:
 *   FLAVOUR_VAR          the struct flavour to define (e.g. flavour_ck_epoch)
 *   FLAVOUR_NAME         its name in the figures
 *   flavour_init()       once, before any thread runs
 *   thread_online(idx)   a reader thread starts (idx 0 or 1: its "CPU")
 *   thread_offline()     a reader thread ends
 *   READ_LOCK() READ_UNLOCK() QUIESCENT()  the read side (QUIESCENT is a
 *                        no-op except for QSBR, called every READ_BATCH reads)
 *   SLOT_LOAD() SLOT_SWAP(new)             the slot (returns the old object)
 *   SYNCHRONIZE()        wait for a grace period (the updater is not a reader)
 */
#include <pthread.h>
#include <stdbool.h>
#include "common.h"

#define READ_BATCH 256

static void *loop_section(long iterations)
{
    for (long i = 0; i < iterations; i++) {
        READ_LOCK();
        READ_UNLOCK();
    }
    QUIESCENT();
    return NULL;
}

static double time_sections(int idx, long iterations)
{
    thread_online(idx);
    uint64_t start = now_ns();
    loop_section(iterations);
    double ns = (double)(now_ns() - start) / (double)iterations;
    thread_offline();
    return ns;
}

static double time_slot_calls(long iterations)
{
    int acc = 0;
    thread_online(0);
    uint64_t start = now_ns();
    for (long i = 0; i < iterations; i++) {
        READ_LOCK();
        struct bench_object *o = SLOT_LOAD();
        acc += o->fn((int)i);
        READ_UNLOCK();
        if ((i & (READ_BATCH - 1)) == 0)
            QUIESCENT();
    }
    double ns = (double)(now_ns() - start) / (double)iterations;
    thread_offline();
    bench_sink = acc;
    return ns;
}

struct reader {
    int idx;
    long iterations;          /* sections mode: how many */
    volatile bool *go, *stop; /* loop mode: until *stop */
    volatile bool running;    /* loop mode: online and reading */
    double ns_per_section;
    uint64_t reads, ns;
};

static void *reader_sections(void *arg)
{
    struct reader *r = arg;
    while (!*r->go)
        ;
    r->ns_per_section = time_sections(r->idx, r->iterations);
    return NULL;
}

/* Reads in batches until told to stop; counts them. */
static void *reader_loop(void *arg)
{
    struct reader *r = arg;
    int acc = 0;
    thread_online(r->idx);
    while (!*r->go)
        ;
    uint64_t start = now_ns(), reads = 0;
    r->running = true;
    while (!*r->stop) {
        for (int i = 0; i < READ_BATCH; i++) {
            READ_LOCK();
            struct bench_object *o = SLOT_LOAD();
            acc += o->fn(i) + o->bias;
            READ_UNLOCK();
        }
        QUIESCENT();
        reads += READ_BATCH;
    }
    r->ns = now_ns() - start;
    r->reads = reads;
    thread_offline();
    bench_sink = acc;
    return NULL;
}

static double pair_sections(long iterations)
{
    volatile bool go = false;
    struct reader r[2] = { { .idx = 0, .iterations = iterations, .go = &go },
                           { .idx = 1, .iterations = iterations, .go = &go } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, reader_sections, &r[i]);
    go = true;
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return (r[0].ns_per_section + r[1].ns_per_section) / 2;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median synchronize latency over `samples`, with or without a busy reader. */
static double gp_latency_us(bool busy, int samples)
{
    volatile bool go = true, stop = false;
    struct reader r = { .idx = 1, .go = &go, .stop = &stop };
    pthread_t t;
    if (busy) {
        pthread_create(&t, NULL, reader_loop, &r);
        while (!r.running)
            ;
    }
    uint64_t *ns = calloc((size_t)samples, sizeof(*ns));
    for (int i = 0; i < samples; i++) {
        uint64_t start = now_ns();
        SYNCHRONIZE();
        ns[i] = now_ns() - start;
    }
    stop = true;
    if (busy)
        pthread_join(t, NULL);
    qsort(ns, (size_t)samples, sizeof(*ns), compare_u64);
    double median = (double)ns[samples / 2] / 1000.0;
    free(ns);
    return median;
}

/* One reader for `seconds`; the calling thread swaps the slot meanwhile
 * when `swapping` (new object, publish, grace period, free the old one). */
static double read_throughput(bool swapping, double seconds, double *updates_k)
{
    volatile bool go = false, stop = false;
    struct reader r = { .idx = 0, .go = &go, .stop = &stop };
    pthread_t t;
    pthread_create(&t, NULL, reader_loop, &r);
    uint64_t updates = 0, start = now_ns(), end = start + (uint64_t)(seconds * 1e9);
    go = true;
    while (now_ns() < end) {
        if (swapping) {
            struct bench_object *old = SLOT_SWAP(bench_object_new((int)updates));
            SYNCHRONIZE();
            free(old);
            updates++;
        } else {
            struct timespec pause = { 0, 1000000 };
            nanosleep(&pause, NULL);
        }
    }
    uint64_t elapsed = now_ns() - start;
    stop = true;
    pthread_join(t, NULL);
    if (updates_k)
        *updates_k = (double)updates / ((double)elapsed / 1e9) / 1000.0;
    return r.ns ? (double)r.reads / ((double)r.ns / 1e9) / 1e6 : 0;
}

static void run_round(long iterations, double seconds, int gp_samples, struct flavour_round *out)
{
    static bool initialised;
    if (!initialised) {
        flavour_init();
        SLOT_SWAP(bench_object_new(0));
        initialised = true;
    }
    out->read_section_t1_ns = time_sections(0, iterations);
    out->read_section_t2_ns = pair_sections(iterations);
    out->slot_call_t1_ns = time_slot_calls(iterations);
    out->gp_idle_us = gp_latency_us(false, gp_samples);
    out->gp_busy_us = gp_latency_us(true, gp_samples);
    out->reads_idle_m = read_throughput(false, seconds, NULL);
    out->reads_swapping_m = read_throughput(true, seconds, &out->updates_k);
}

const struct flavour FLAVOUR_VAR = { FLAVOUR_NAME, run_round };
