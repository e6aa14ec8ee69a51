/* test_process.c — processes, the gate and isolation, with the test
 * programs of tests/programs/ (ELF PIEs built with the SDK and signed into
 * the image as program sections; process_spawn loads them at
 * USER_LOAD_BASE: code R+X, data RW+NX, the stack RW+NX).
 */
#include <wisp/ktest.h>
#include <wisp/process.h>
#include "tests/kernel/programs.h"
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <wisp/format.h>
#include <string.h>

#define FAULT(vector) (SYS_EXIT_FAULT_BASE + (vector))

static int run(const char *name) { return test_program_run(name, 0, NULL); }

/* Runs faults with argv[1] = what. */
static int run_fault(const char *what)
{
    const char *argv[] = { "faults", what };
    return test_program_run("faults", 2, argv);
}

KTEST(process_test_programs_are_in_the_image)
{
    static const char *const names[] = { "exit42",     "args",          "hello_parts",
                                         "faults",     "bad_arguments", "sse",
                                         "owns_data",  "reads_other",   "parent",
                                         "null_calls", "info_calls" };
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
        if (!program_find(names[i]))
            ktest_fail(ctx, __FILE__, __LINE__, "program %s is not registered", names[i]);
}

KTEST(process_exec_refuses_a_program_whose_names_do_not_bind)
{
    unsigned before = process_count();
    KEXPECT_EQ(run("no_such_ghost"), -SYS_ENOEXEC); /* the log names the symbol */
    KEXPECT_EQ(process_count(), before);
}

KTEST(process_exit_status_reaches_waiter) { KEXPECT_EQ(run("exit42"), 42); }

KTEST(process_wait_with_a_faulting_status_pointer_keeps_the_child_collectable)
{
    unsigned before = process_count();
    KEXPECT_EQ(run("wait_status"), 0);
    KEXPECT_EQ(process_count(), before); /* both children collected, none left */
}

/* kcov (debug builds): a thread's own kernel PCs, bad arguments refused. */
KTEST(process_kcov_collects_the_calling_threads_kernel_pcs)
{
#ifdef WISP_DEBUG
    KEXPECT_EQ(run("kcov_calls"), 0);
#endif
}

KTEST(process_writes_console_through_gate) { KEXPECT_EQ(run("hello_parts"), 0); }

KTEST(process_gets_its_arguments)
{
    const char *argv[] = { "args", "alpha", "be", "gamma-delta" };
    KEXPECT_EQ(test_program_run("args", 4, argv), 4 * 10 + 11);
    KEXPECT_EQ(run("args"), 10 + 4); /* argv = { "args" } */
}

KTEST(process_spawn_refuses_bad_arguments)
{
    char long_arg[PROCESS_ARG_LENGTH_MAX + 2];
    memset(long_arg, 'x', sizeof(long_arg) - 1);
    long_arg[sizeof(long_arg) - 1] = '\0';
    const char *too_long[] = { "args", long_arg };
    const char *many[PROCESS_ARGS_MAX + 1];
    for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
        many[i] = "a";
    unsigned before = process_count();
    KEXPECT_EQ(test_program_run("args", 2, too_long), -SYS_EINVAL);
    KEXPECT_EQ(test_program_run("args", ARRAY_SIZE(many), many), -SYS_EINVAL);
    KEXPECT_EQ(test_program_run("args", PROCESS_ARGS_MAX, many), PROCESS_ARGS_MAX * 10 + 1);
    KEXPECT_EQ(process_count(), before);
}

KTEST(process_cannot_read_or_write_kernel_memory)
{
    unsigned before = process_count();
    KEXPECT_EQ(run_fault("read_kernel"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(run_fault("write_kernel"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(run_fault("read_direct_map"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(process_count(), before);
}

KTEST(process_cannot_read_the_slot_table)
{
    KEXPECT_EQ(run_fault("read_slots"), FAULT(VEC_PAGE_FAULT));
}

KTEST(process_cannot_run_kernel_code_or_write_its_code_or_run_its_stack)
{
    KEXPECT_EQ(run_fault("jump_kernel"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(run_fault("write_code"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(run_fault("exec_stack"), FAULT(VEC_PAGE_FAULT));
}

KTEST(process_fault_on_ud_and_privileged_instructions_ends_it)
{
    KEXPECT_EQ(run_fault("undefined_opcode"), FAULT(VEC_INVALID_OPCODE));
    KEXPECT_EQ(run_fault("privileged"), FAULT(VEC_GPF));
    KEXPECT_EQ(run_fault("int_gate"), FAULT(VEC_GPF)); /* no software-interrupt entry */
}

KTEST(process_bad_syscall_arguments_return_errors) { KEXPECT_EQ(run("bad_arguments"), 0); }

/* The tools' gate functions (sysinfo.c, kill, trywait): bad pointers and
 * counts are errors, and the calls do what they say (info_calls). */
KTEST(process_info_calls_check_their_arguments) { KEXPECT_EQ(run("info_calls"), 0); }

KTEST(process_kill_ends_a_sleeping_process)
{
    const char *argv[] = { "sleeper", "100000" };
    int err = 0;
    unsigned before = process_count();
    struct process *p = test_program_start("sleeper", 2, argv, &err);
    KASSERT_TRUE(p != NULL);
    uint32_t pid = p->pid;
    KEXPECT_EQ(process_kill(NULL, pid, SYS_EXIT_KILLED), 0);
    KEXPECT_EQ(process_wait(p), SYS_EXIT_KILLED); /* within a sleep slice */
    KEXPECT_EQ(process_kill(NULL, pid, SYS_EXIT_KILLED), -SYS_ESRCH);
    KEXPECT_EQ(process_count(), before);
}

/* Who may end whom (kill_rules): a process ends itself, its descendants
 * and its session's other processes but its ancestors; a process of
 * another session (this sleeper: the kernel started it) is refused and
 * runs on. */
KTEST(process_kill_ends_its_own_and_its_session_and_refuses_the_rest)
{
    const char *argv[] = { "sleeper", "100000" };
    int err = 0;
    unsigned before = process_count();
    struct process *other = test_program_start("sleeper", 2, argv, &err);
    KASSERT_TRUE(other != NULL);
    char pid_text[16];
    ksnprintf(pid_text, sizeof(pid_text), "%u", other->pid);
    const char *rules[] = { "kill_rules", pid_text };
    KEXPECT_EQ(test_program_run("kill_rules", 2, rules), 0);
    KEXPECT_EQ(__atomic_load_n(&other->killed, __ATOMIC_ACQUIRE), false);
    KEXPECT_EQ(process_kill(NULL, other->pid, SYS_EXIT_KILLED), 0);
    KEXPECT_EQ(process_wait(other), SYS_EXIT_KILLED);
    KEXPECT_EQ(process_count(), before);
}

/* A program asleep in read (echo_keys: no key ever comes in a test boot)
 * leaves at once when killed, not at the next key: the console driver's
 * read is cancelled. Bounded: a reader that stays is a failure, not a hang. */
KTEST(process_kill_ends_a_program_waiting_in_read)
{
    struct process *p = test_program_spawn("echo_keys", 0, NULL);
    KASSERT_TRUE(p != NULL);
    sched_sleep_ns(100 * NSEC_PER_MSEC); /* it is in read by now */
    KEXPECT_EQ(process_kill(NULL, p->pid, SYS_EXIT_KILLED), 0);
    int status = -1;
    bool ended = false;
    for (int i = 0; i < 500 && !ended; i++) {
        ended = process_try_wait(p, &status);
        if (!ended)
            sched_sleep_ns(10 * NSEC_PER_MSEC);
    }
    KASSERT_TRUE(ended); /* within 5 s */
    KEXPECT_EQ(status, SYS_EXIT_KILLED);
}

KTEST(process_snapshot_lists_running_processes)
{
    const char *argv[] = { "sleeper", "100000" };
    struct sys_process_record records[SYS_LIST_MAX];
    int err = 0;
    struct process *p = test_program_start("sleeper", 2, argv, &err);
    KASSERT_TRUE(p != NULL);
    size_t n = process_snapshot(records, 0, SYS_LIST_MAX), found = 0;
    for (size_t i = 0; i < n; i++)
        if (records[i].pid == p->pid && strcmp(records[i].name, "sleeper") == 0 &&
            records[i].parent == 0 && records[i].state == SYS_PROCESS_RUNNING)
            found++;
    KEXPECT_EQ(found, 1);
    KEXPECT_EQ(process_snapshot(records, n, SYS_LIST_MAX), 0);
    KEXPECT_EQ(process_kill(NULL, p->pid, SYS_EXIT_KILLED), 0);
    KEXPECT_EQ(process_wait(p), SYS_EXIT_KILLED);
}

KTEST(process_cannot_read_another_process_memory)
{
    int err = 0;
    struct process *a = test_program_start("owns_data", 0, NULL, &err);
    KASSERT_TRUE(a != NULL);
    KEXPECT_EQ(run("reads_other"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(process_wait(a), 0); /* the owner carried on */
}

KTEST(process_sse_state_survives_switches)
{
    const char *keep[] = { "sse", "keep" }, *clobber[] = { "sse", "clobber" };
    struct process *p[6];
    int err = 0;
    for (int i = 0; i < 6; i++)
        p[i] = test_program_start("sse", 2, i % 2 ? clobber : keep, &err);
    for (int i = 0; i < 6; i++) {
        KASSERT_TRUE(p[i] != NULL);
        KEXPECT_EQ(process_wait(p[i]), 0);
    }
}

KTEST(process_spawns_a_child_with_arguments_and_waits_for_it)
{
    KEXPECT_EQ(run("parent"), 3 * 10 + 5 + 1); /* args one three: 35, + 1 */
}

KTEST(process_many_in_parallel_and_memory_comes_back)
{
    size_t before = pmm_free_page_count();
    struct process *p[16];
    int err = 0;
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 16; i++)
            p[i] = test_program_start("exit42", 0, NULL, &err);
        for (int i = 0; i < 16; i++)
            if (p[i])
                KEXPECT_EQ(process_wait(p[i]), 42);
    }
    sched_sleep_ns(20 * 1000 * 1000); /* detached threads are freed at exit */
    KEXPECT_LE((long)before - (long)pmm_free_page_count(), 64);
}

KTEST(bench_gate_null_call)
{
    int cycles = run("null_calls");
    KEXPECT_GT(cycles, 0);
    kprintf("bench: gate_null_call %d cycles\n", cycles);
}
