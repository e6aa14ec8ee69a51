/* bench_ghost.c — figures of programs and ghost bindings (make bench): a
 * call of each kind from a program (a direct call, user-mode ghost code,
 * a gate function, a module's export through the gate and its dispatch
 * thunk: tests/programs/ghost_bench.c), spawn + exit + wait of a small
 * program, and the pages an extra process of one program costs. */
#include <wisp/kbench.h>
#include <wisp/process.h>
#include <wisp/ghost.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <wisp/format.h>

#define ROUNDS 7

static int run_args(const char *name, unsigned argc, const char *const *argv)
{
    const struct program *prog = program_find(name);
    int err = -SYS_ENOENT;
    struct process *p = prog ? process_spawn(prog, argc, argv, NULL, &err) : NULL;
    return p ? process_wait(p) : err;
}

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
        int centi = run_args("ghost_bench", 2, argv);
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

KBENCH(ghost_spawn_exit_wait)
{
    uint64_t ns[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t start = clock_ns();
        if (run_args("exit42", 0, NULL) != 42) {
            kprintf("# ghost_spawn_exit_wait: exit42 failed\n");
            return;
        }
        ns[r] = clock_ns() - start;
    }
    kbench_report("process.spawn_exit_wait", kbench_median(ns, ROUNDS) * 1000, "ns");
}

KBENCH(ghost_extra_process_pages)
{
    const struct program *prog = program_find("sleeper");
    const char *argv[] = { "sleeper", "300" };
    int err = 0;
    struct process *first = prog ? process_spawn(prog, 2, argv, NULL, &err) : NULL;
    if (!first)
        return;
    size_t before = pmm_free_page_count();
    struct process *second = process_spawn(prog, 2, argv, NULL, &err);
    size_t after = pmm_free_page_count();
    if (second) {
        unsigned own = 0;
        for (const struct user_page *up = second->pages; up; up = up->next)
            own++;
        kbench_report("process.extra_own_pages", own * 1000ul, "pages");
        kbench_report("process.extra_total_pages", ((long)before - (long)after) * 1000ul, "pages");
        kbench_report("process.ghost_pages_shared", GHOST_PAGES * 1000ul, "pages");
        process_wait(second);
    }
    process_wait(first);
}
