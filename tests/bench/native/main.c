/* main.c — native (host) benchmark of epoch read paths: Wisp's, plain
 * ck_epoch, liburcu memb and QSBR. Prints "bench: NAME VALUE UNIT" lines,
 * one per round, which tests/qemu/bench.py reads like the kernel's.
 *
 * usage: epoch-native [--quick]
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "common.h"

volatile int bench_sink;

/* noipa: stays a real call, like the kernel benchmarks' targets. */
__attribute__((noipa)) int bench_target(int x) { return x + 1; }

static double direct_call_ns(long iterations)
{
    int acc = 0;
    uint64_t start = now_ns();
    for (long i = 0; i < iterations; i++)
        acc += bench_target((int)i);
    bench_sink = acc;
    return (double)(now_ns() - start) / (double)iterations;
}

static void report(const char *flavour, const char *figure, double value, const char *unit)
{
    printf("bench: native.%s%s%s %.3f %s\n", flavour, *flavour ? "." : "", figure, value, unit);
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int rounds = quick ? 3 : 7, gp_samples = quick ? 51 : 201;
    long iterations = quick ? 2000000 : 10000000;
    double seconds = quick ? 0.1 : 0.3;
    const struct flavour *flavours[] = { &flavour_wisp, &flavour_ck_epoch, &flavour_urcu_memb,
                                         &flavour_urcu_qsbr };
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int r = 0; r < rounds; r++) {
        report("", "direct_call", direct_call_ns(iterations), "ns");
        for (size_t f = 0; f < sizeof(flavours) / sizeof(flavours[0]); f++) {
            struct flavour_round v;
            const char *n = flavours[f]->name;
            flavours[f]->run_round(iterations, seconds, gp_samples, &v);
            report(n, "read_section.t1", v.read_section_t1_ns, "ns");
            report(n, "read_section.t2", v.read_section_t2_ns, "ns");
            report(n, "slot_call.t1", v.slot_call_t1_ns, "ns");
            report(n, "gp_latency.idle", v.gp_idle_us, "us");
            report(n, "gp_latency.busy", v.gp_busy_us, "us");
            report(n, "read_throughput.t1", v.reads_idle_m, "Mreads/s");
            report(n, "read_throughput.swapping", v.reads_swapping_m, "Mreads/s");
            report(n, "updates_while_reading", v.updates_k, "kupdates/s");
        }
    }
    return 0;
}
