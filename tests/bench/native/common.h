/* common.h — what every flavour of the native epoch/RCU benchmark shares:
 * the clock, the object readers reach through the slot, and the target
 * function they call. See README.md for the figures. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* What readers find through the slot; the updater replaces it whole and
 * frees the old one after a grace period. */
struct bench_object {
    int (*fn)(int);
    int bias;
};

extern volatile int bench_sink;
int bench_target(int x);

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline struct bench_object *bench_object_new(int bias)
{
    struct bench_object *o = malloc(sizeof(*o));
    if (!o)
        abort();
    o->fn = bench_target;
    o->bias = bias;
    return o;
}

/* One flavour's figures for one round. */
struct flavour_round {
    double read_section_t1_ns; /* lock + unlock, one thread */
    double read_section_t2_ns; /* the same on two threads at once, per thread */
    double slot_call_t1_ns;    /* lock + load slot + call + unlock */
    double gp_idle_us;         /* synchronize, no reader inside a section */
    double gp_busy_us;         /* synchronize, one reader looping on the other thread */
    double reads_idle_m;       /* Mreads/s of one reader, no updater */
    double reads_swapping_m;   /* Mreads/s of one reader while an updater swaps */
    double updates_k;          /* kupdates/s of that updater (swap + synchronize + free) */
};

struct flavour {
    const char *name;
    void (*run_round)(long iterations, double seconds, int gp_samples, struct flavour_round *out);
};

extern const struct flavour flavour_wisp, flavour_ck_epoch, flavour_urcu_memb, flavour_urcu_qsbr;
