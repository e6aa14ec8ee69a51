/* test_messages.c — messages between processes (send, receive), spawn_on
 * and cpu, with the test program messages (tests/programs/messages.c). */
#include <wisp/ktest.h>
#include <wisp/process.h>
#include "tests/kernel/programs.h"
#include <wisp/mm.h>

KTEST(process_messages_mailbox_keeps_order_limits_and_refuses_bad_arguments)
{
    const char *argv[] = { "messages", "check" };
    KEXPECT_EQ(test_program_run("messages", 2, argv), 0);
}

KTEST(process_messages_ping_pong_on_one_cpu_each_reply_checked)
{
    const char *argv[] = { "messages", "pingpong", "2000" };
    KEXPECT_EQ(test_program_run("messages", 3, argv), 0);
}

KTEST(process_messages_four_receiving_threads_get_each_message_once)
{
    const char *argv[] = { "messages", "threads", "4", "3000" };
    KEXPECT_EQ(test_program_run("messages", 4, argv), 0);
}

KTEST(process_messages_kill_ends_a_process_asleep_in_receive)
{
    const char *argv[] = { "messages", "killwait" };
    KEXPECT_EQ(test_program_run("messages", 2, argv), 0);
}

KTEST(process_messages_spawn_on_refuses_an_offline_cpu_and_leaves_nothing)
{
    const struct program *prog = program_find("exit42");
    KASSERT_TRUE(prog != NULL);
    size_t pages = pmm_free_page_count();
    unsigned processes = process_count();
    int err = 0;
    KEXPECT_TRUE(process_spawn_on(prog, 0, NULL, NULL, MAX_CPUS, &err) == NULL);
    KEXPECT_EQ(err, -SYS_EINVAL);
    KEXPECT_TRUE(process_spawn_on(prog, 0, NULL, NULL, -2, &err) == NULL);
    KEXPECT_EQ(process_count(), processes);
    KEXPECT_EQ(pmm_free_page_count(), pages);
    struct process *p = process_spawn_on(prog, 0, NULL, NULL, 0, &err);
    KASSERT_TRUE(p != NULL);
    KEXPECT_EQ(process_wait(p), 42);
}
