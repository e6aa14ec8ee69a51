/* test_threads.c — threads in processes and the futex, with the test
 * programs threads_counter, threads_end and futex_args (tests/programs/).
 */
#include <wisp/ktest.h>
#include <wisp/process.h>
#include "tests/kernel/programs.h"
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <string.h>

KTEST(process_threads_count_exactly_under_the_user_mutex)
{
    const char *argv[] = { "threads_counter", "4", "100000" };
    uint64_t sleeps = __atomic_load_n(&futex_sleeps, __ATOMIC_RELAXED);
    KEXPECT_EQ(test_program_run("threads_counter", 3, argv), 0); /* exact total, joins, waits */
    uint64_t slept = __atomic_load_n(&futex_sleeps, __ATOMIC_RELAXED) - sleeps;
    pr_info("threads_counter: futex_wait slept %lu times\n", slept);
    KEXPECT_TRUE(slept > 0);
}

KTEST(process_threads_bad_futex_and_thread_arguments_return_errors)
{
    KEXPECT_EQ(test_program_run("futex_args", 0, NULL), 0);
}

KTEST(process_timeouts_near_2_64_block_instead_of_expiring_at_once)
{
    uint64_t t0 = clock_ns();
    KEXPECT_EQ(test_program_run("forever", 0, NULL), 0);
    KEXPECT_GT(clock_ns() - t0, 50ul * 1000 * 1000); /* its sleeping thread ended by exit */
}

/* Runs threads_end mode: its status, and how long it took. */
static int run_end(const char *mode, uint64_t *ns)
{
    const char *argv[] = { "threads_end", mode };
    uint64_t t0 = clock_ns();
    int status = test_program_run("threads_end", 2, argv);
    *ns = clock_ns() - t0;
    return status;
}

KTEST(process_threads_exit_from_one_thread_ends_the_others)
{
    uint64_t ns;
    unsigned before = process_count();
    KEXPECT_EQ(run_end("exit", &ns), 7);
    KEXPECT_LT(ns, 2000ul * 1000 * 1000); /* its child sleeps 5 s */
    for (int i = 0; i < 1000 && process_count() != before; i++)
        sched_sleep_ns(10 * 1000 * 1000); /* the orphaned child frees itself */
    KEXPECT_EQ(process_count(), before);
}

KTEST(process_threads_fault_in_one_thread_ends_the_process)
{
    uint64_t ns;
    KEXPECT_EQ(run_end("fault", &ns), SYS_EXIT_FAULT_BASE + VEC_PAGE_FAULT);
    KEXPECT_EQ(test_program_run("futex_args", 0, NULL), 0); /* the kernel carries on */
}

KTEST(process_threads_the_last_thread_ends_the_process)
{
    uint64_t ns;
    KEXPECT_EQ(run_end("last", &ns), 9);
}

KTEST(process_threads_kill_ends_every_thread_and_ps_counts_them)
{
    const char *argv[] = { "threads_end", "kill" };
    struct process *p = test_program_spawn("threads_end", 2, argv);
    KASSERT_TRUE(p != NULL);
    struct sys_process_record records[SYS_LIST_MAX];
    uint32_t threads = 0;
    for (int tries = 0; tries < 200 && threads != 4; tries++) {
        sched_sleep_ns(5 * 1000 * 1000);
        size_t n = process_snapshot(records, 0, SYS_LIST_MAX);
        for (size_t i = 0; i < n; i++)
            if (records[i].pid == p->pid)
                threads = records[i].threads;
    }
    KEXPECT_EQ(threads, 4);
    KEXPECT_EQ(process_kill(NULL, p->pid, SYS_EXIT_KILLED), 0);
    KEXPECT_EQ(process_wait(p), SYS_EXIT_KILLED);
}

KTEST(process_threads_many_processes_with_threads_and_memory_comes_back)
{
    const char *argv[] = { "threads_counter", "8", "2000" };
    size_t before = pmm_free_page_count();
    struct process *p[8];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 8; i++)
            p[i] = test_program_spawn("threads_counter", 3, argv);
        for (int i = 0; i < 8; i++)
            if (p[i])
                KEXPECT_EQ(process_wait(p[i]), 0);
    }
    sched_sleep_ns(20 * 1000 * 1000); /* detached threads are freed at exit */
    KEXPECT_LE((long)before - (long)pmm_free_page_count(), 64);
}
