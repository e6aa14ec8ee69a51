/* lbench.c — the Linux side of `make bench`: matched workloads run as
 * /init's child inside Debian's Linux kernel under QEMU, printing
 * "bench: linux.NAME VALUE UNIT" lines on the serial console, one per
 * round, like Wisp's in-kernel benchmarks (kernel/include/wisp/kbench.h).
 *
 * Timing: rdtsc around each batch, converted to ns with a TSC frequency
 * calibrated against CLOCK_MONOTONIC at start (Wisp calibrates its TSC
 * against its timer the same way). Iteration counts below are the ones
 * Wisp's user-process benchmarks must use for the figures to match.
 *
 * usage: lbench [--quick]     (statically linked; needs /bin/hello-static
 *                              and /bin/hello-dynamic in the initramfs)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CALLS          200000 /* direct call: as rcu.direct_call on Wisp */
#define SYSCALLS       100000 /* null system call, clock reads */
#define SPAWNS         40     /* spawn + exit + wait, per round */
#define PINGPONGS      5000   /* context switch round trips */
#define FAULT_PAGES    4096   /* page faults: 16 MiB of fresh anonymous memory */
#define IDLE_PROCESSES 16     /* memory per extra process */

extern char **environ;
static volatile long sink;
static double cycles_per_ns;

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void calibrate(void)
{
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC), c0 = rdtsc();
    while (clock_ns(CLOCK_MONOTONIC) - t0 < 100000000u)
        ;
    cycles_per_ns = (double)(rdtsc() - c0) / (double)(clock_ns(CLOCK_MONOTONIC) - t0);
}

static void report(const char *name, double value, const char *unit)
{
    printf("bench: linux.%s %.3f %s\n", name, value, unit);
}

static void report_per(const char *name, uint64_t cycles, long count)
{
    report(name, (double)cycles / cycles_per_ns / (double)count, "ns");
}

__attribute__((noipa)) static long target(long x) { return x + 1; }

static void bench_calls(void)
{
    long acc = 0;
    uint64_t c = rdtsc();
    for (long i = 0; i < CALLS; i++)
        acc += target(i);
    report_per("direct_call", rdtsc() - c, CALLS);
    c = rdtsc();
    for (long i = 0; i < SYSCALLS; i++)
        acc += syscall(SYS_getppid);
    report_per("null_syscall", rdtsc() - c, SYSCALLS);
    struct timespec ts;
    c = rdtsc();
    for (long i = 0; i < SYSCALLS; i++)
        acc += clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    report_per("vdso_clock_coarse", rdtsc() - c, SYSCALLS);
    c = rdtsc();
    for (long i = 0; i < SYSCALLS; i++)
        acc += clock_gettime(CLOCK_MONOTONIC, &ts);
    report_per("vdso_clock_monotonic", rdtsc() - c, SYSCALLS);
    sink = acc;
}

static pid_t spawn(const char *path, const char *arg, posix_spawn_file_actions_t *actions)
{
    char *argv[] = { (char *)path, (char *)arg, NULL };
    pid_t pid;
    if (posix_spawn(&pid, path, actions, NULL, argv, environ) != 0) {
        printf("# lbench: cannot spawn %s\n", path);
        exit(1);
    }
    return pid;
}

static void bench_spawn(const char *name, const char *path)
{
    uint64_t c = rdtsc();
    for (int i = 0; i < SPAWNS; i++)
        waitpid(spawn(path, NULL, NULL), NULL, 0);
    report(name, (double)(rdtsc() - c) / cycles_per_ns / 1000.0 / SPAWNS, "us");
}

static long mem_free_kib(void)
{
    char line[128];
    long kib = -1;
    FILE *f = fopen("/proc/meminfo", "r");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

/* IDLE_PROCESSES copies of the program, each started and paused; the drop
 * in MemFree divided by their number. */
static void bench_memory(const char *name, const char *path)
{
    int ready[2];
    pid_t pids[IDLE_PROCESSES];
    char byte;
    if (pipe(ready) != 0)
        return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, ready[1], 3);
    long before = mem_free_kib();
    for (int i = 0; i < IDLE_PROCESSES; i++)
        pids[i] = spawn(path, "wait", &actions);
    for (int i = 0; i < IDLE_PROCESSES; i++)
        if (read(ready[0], &byte, 1) != 1)
            return;
    long after = mem_free_kib();
    for (int i = 0; i < IDLE_PROCESSES; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(ready[0]);
    close(ready[1]);
    report(name, (double)(before - after) / IDLE_PROCESSES, "KiB");
}

static void pin_to_cpu0(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* Two processes on CPU 0 bounce a byte over two pipes: each round trip is
 * two switches (and two pipe writes and reads). */
static void bench_context_switch(void)
{
    int ping[2], pong[2];
    char b = 0;
    if (pipe(ping) != 0 || pipe(pong) != 0)
        return;
    pid_t child = fork();
    if (child == 0) {
        close(ping[1]); /* else the read below never sees end of file */
        close(pong[0]);
        pin_to_cpu0();
        while (read(ping[0], &b, 1) == 1 && write(pong[1], &b, 1) == 1)
            ;
        _exit(0);
    }
    pin_to_cpu0();
    uint64_t c = rdtsc();
    for (int i = 0; i < PINGPONGS; i++)
        if (write(ping[1], &b, 1) != 1 || read(pong[0], &b, 1) != 1)
            break;
    uint64_t cycles = rdtsc() - c;
    close(ping[1]);
    waitpid(child, NULL, 0);
    close(ping[0]);
    close(pong[0]);
    close(pong[1]);
    report_per("context_switch", cycles, 2 * PINGPONGS);
}

static void bench_page_faults(void)
{
    size_t size = (size_t)FAULT_PAGES * 4096;
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    uint64_t c = rdtsc();
    for (size_t off = 0; off < size; off += 4096)
        p[off] = 1;
    report_per("page_fault", rdtsc() - c, FAULT_PAGES);
    munmap(p, size);
}

/* The kernel's own timestamp of "Run /init as init process". */
static void report_boot_time(void)
{
    static char log[1 << 20];
    int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
    if (n <= 0)
        return;
    log[n] = 0;
    char *run = strstr(log, "Run /init as init process");
    if (!run)
        return;
    char *open = run;
    while (open > log && *open != '[')
        open--;
    double seconds;
    if (sscanf(open, "[ %lf]", &seconds) == 1)
        report("boot_to_init", seconds * 1000, "ms");
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 3 : 7;
    setvbuf(stdout, NULL, _IOLBF, 0);
    calibrate();
    printf("# lbench: %d rounds, TSC %.3f cycles/ns\n", rounds, cycles_per_ns);
    report_boot_time();
    for (int r = 0; r < rounds; r++) {
        bench_calls();
        bench_spawn("spawn_static", "/bin/hello-static");
        bench_spawn("spawn_dynamic", "/bin/hello-dynamic");
        bench_context_switch();
        bench_page_faults();
        if (r < 3) {
            bench_memory("mem_per_process_static", "/bin/hello-static");
            bench_memory("mem_per_process_dynamic", "/bin/hello-dynamic");
        }
    }
    printf("# lbench: done\n");
    return 0;
}
