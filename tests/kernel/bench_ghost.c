/* bench_ghost.c — figures of programs and ghost bindings (make bench): a
 * call of each kind from a program (a direct call, user-mode ghost code,
 * a gate function, a module's export through the gate and its dispatch
 * thunk: tests/programs/ghost_bench.c), spawn + exit + wait of a small
 * program, the pages an extra process of one program costs, and a page
 * fault on fresh map() memory — with the iteration counts of
 * tests/bench/linux/lbench.c. */
#include <wisp/kbench.h>
#include <wisp/process.h>
#include "tests/kernel/programs.h"
#include <wisp/ghost.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <wisp/format.h>

#define ROUNDS 7

KBENCH(ghost_calls)
{
    static const char *const kinds[][2] = {
        { "direct", "ghost.direct_call" },
        { "user", "ghost.user_code_call" },
        { "gate", "ghost.gate_call" },
        { "module", "ghost.module_call" },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
        const char *argv[] = { "ghost_bench", kinds[k][0] };
        int centi = test_program_run("ghost_bench", 2, argv);
        if (centi < 0) {
            kprintf("# ghost_calls: ghost_bench %s: %d\n", kinds[k][0], centi);
            return;
        }
        kbench_report(kinds[k][1], kbench_cycles_to_ns_milli((uint64_t)centi) / 100, "ns");
        char name[48];
        ksnprintf(name, sizeof(name), "%s_cycles", kinds[k][1]);
        kbench_report(name, (uint64_t)centi * 10, "cycles");
    }
}

/* Wisp only: calls of a module's export (counter_read, through the gate
 * and its dispatch thunk) from 1, 2 and 4 user threads at once, all
 * together per second, and 4 threads over 1 (the guest's 4 CPUs run on
 * the host's cores: their number is the ceiling). */
KBENCH(ghost_call_scaling)
{
    static const char *const threads[] = { "1", "2", "4" };
    uint64_t one = 0;
    for (unsigned k = 0; k < ARRAY_SIZE(threads); k++) {
        if ((unsigned)(threads[k][0] - '0') > cpu_count)
            break;
        uint64_t v[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            const char *argv[] = { "ghost_bench", "scale", threads[k] };
            int kcalls = test_program_run("ghost_bench", 3, argv);
            if (kcalls < 0) {
                kprintf("# ghost_call_scaling: ghost_bench scale %s: %d\n", threads[k], kcalls);
                return;
            }
            v[r] = (uint64_t)kcalls;
        }
        uint64_t m = kbench_median(v, ROUNDS);
        char name[48];
        ksnprintf(name, sizeof(name), "ghost.module_calls.threads%s", threads[k]);
        kbench_report(name, m, "Mcalls/s");
        if (k == 0)
            one = m;
        else if (one && threads[k][0] == '4')
            kbench_report("ghost.module_call_scaling.threads4", m * 1000 / one, "x");
    }
}

/* As lbench's context switch: two processes ping-pong PINGPONGS round
 * trips (a message each way: send, receive; tests/programs/messages.c
 * `bench`), two switches per round trip; the child on the same CPU as
 * lbench pins both to CPU 0, and on another CPU (Wisp only: each message
 * crosses CPUs, and wakes a receiver whose CPU idles with an IPI). */
KBENCH(ghost_context_switch)
{
    static const char *const kinds[][2] = {
        { "same", "process.context_switch" },
        { "cross", "process.message_round_trip_cross_cpu" },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
        const char *argv[] = { "messages", "bench", kinds[k][0] };
        int centi = test_program_run("messages", 3, argv);
        if (centi < 0) {
            kprintf("# ghost_context_switch: messages bench %s: %d\n", kinds[k][0], centi);
            continue;
        }
        kbench_report(kinds[k][1], kbench_cycles_to_ns_milli((uint64_t)centi) / 100, "ns");
    }
}

/* As lbench: SPAWNS spawn + exit + wait per round, per-spawn time. */
#define SPAWNS 40
KBENCH(ghost_spawn_exit_wait)
{
    uint64_t ns[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = clock_ns();
        for (int i = 0; i < SPAWNS; i++) {
            if (test_program_run("exit42", 0, NULL) != 42) {
                kprintf("# ghost_spawn_exit_wait: exit42 failed\n");
                return;
            }
        }
        ns[r] = (clock_ns() - start) / SPAWNS;
    }
    kbench_report("process.spawn_exit_wait", kbench_median(ns, ROUNDS) * 1000, "ns");
}

/* As lbench: the free memory IDLE_PROCESSES extra copies of one idle
 * program take, per copy (after a first copy, so that what every process
 * shares is already there). */
#define IDLE_PROCESSES 16
KBENCH(ghost_extra_process_pages)
{
    const struct program *prog = program_find("sleeper");
    const char *argv[] = { "sleeper", "1000" };
    int err = 0;
    struct process *first = prog ? process_spawn(prog, 2, argv, NULL, &err) : NULL;
    if (!first)
        return;
    struct process *extra[IDLE_PROCESSES];
    unsigned started = 0;
    size_t before = pmm_free_page_count();
    while (started < IDLE_PROCESSES &&
           (extra[started] = process_spawn(prog, 2, argv, NULL, &err)) != NULL)
        started++;
    size_t after = pmm_free_page_count();
    if (started == IDLE_PROCESSES) {
        unsigned own = 0;
        for (const struct user_page *up = extra[0]->pages; up; up = up->next)
            own++;
        kbench_report("process.extra_own_pages", own * 1000ul, "pages");
        kbench_report("process.extra_total_pages",
                      ((long)before - (long)after) * 1000ul / IDLE_PROCESSES, "pages");
        kbench_report("process.ghost_pages_shared", GHOST_PAGES * 1000ul, "pages");
    } else {
        kprintf("# ghost_extra_process_pages: spawn failed (%d)\n", err);
    }
    for (unsigned i = 0; i < started; i++)
        process_wait(extra[i]);
    process_wait(first);
}

/* As lbench: a fault on each of FAULT_PAGES fresh pages of map()'s memory
 * (tests/programs/page_faults.c, one run per round; it reports
 * hundredths of a cycle per fault), the median of the rounds. */
KBENCH(ghost_page_faults)
{
    uint64_t centi[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        int result = test_program_run("page_faults", 0, NULL);
        if (result < 0) {
            kprintf("# ghost_page_faults: page_faults: %d\n", result);
            return;
        }
        centi[r] = (uint64_t)result;
    }
    uint64_t median = kbench_median(centi, ROUNDS);
    kbench_report("process.page_fault", kbench_cycles_to_ns_milli(median) / 100, "ns");
    kbench_report("process.page_fault_cycles", median * 10, "cycles");
}
