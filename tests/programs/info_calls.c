/* info_calls — the gate functions behind the tools refuse bad arguments
 * with an error, never a fault: kernel, unmapped and read-only pointers,
 * record counts of 0 and over SYS_LIST_MAX, pids that are no child or no
 * process, killing itself; and they work: the process list holds the
 * caller, the module list counter, memory figures add up, trywait says
 * -EAGAIN while a child runs, and kill ends it with SYS_EXIT_KILLED.
 * Exits 0 when each comes back as expected, else the number of the check
 * that failed. */
#include "sys.h"
#include <stdbool.h>

#define KERNEL_TEXT 0xffffffff80100000l
#define UNMAPPED    0x10000000l
#define GHOST_TABLE 0x7ffffff80000l /* mapped read-only */

static struct sys_process_record processes[SYS_LIST_MAX];
static struct sys_module_record modules[8];
static struct sys_symbol_record symbols[4];

static bool lists_itself(void)
{
    long n = process_list(processes, 0, SYS_LIST_MAX);
    for (long i = 0; i < n; i++)
        if (processes[i].pid == (uint32_t)getpid())
            return sys_streq(processes[i].name, "info_calls") && processes[i].threads == 1;
    return false;
}

static bool lists_counter(void)
{
    long n = module_list(modules, 0, 8);
    for (long i = 0; i < n; i++)
        if (sys_streq(modules[i].name, "counter"))
            return modules[i].version >> 16 >= 1 && modules[i].exports == 3;
    return false;
}

static bool memory_adds_up(void)
{
    struct sys_memory_record m;
    return memory_stats(&m) == 0 && m.page_size == 4096 && m.free_pages < m.total_pages &&
           m.processes >= 1;
}

/* A child sleeps; trywait says it runs; kill ends it with 137. */
static bool kill_ends_a_child(void)
{
    const char *argv[] = { "sleeper", "100000" };
    long pid = spawn("sleeper", 7, argv, 2);
    int status = 0;
    if (pid <= 0 || trywait(pid, &status) != -SYS_EAGAIN || kill(pid) != 0)
        return false;
    return wait(pid, &status) == 0 && status == SYS_EXIT_KILLED && kill(pid) == -SYS_ESRCH;
}

int main(void)
{
    long results[] = {
        process_list((void *)KERNEL_TEXT, 0, 4) == -SYS_EFAULT,
        process_list((void *)UNMAPPED, 0, 4) == -SYS_EFAULT,
        process_list((void *)GHOST_TABLE, 0, 4) == -SYS_EFAULT,
        process_list(processes, 0, 0) == -SYS_EINVAL,
        process_list(processes, 0, SYS_LIST_MAX + 1) == -SYS_EINVAL,
        process_list(processes, 0, (size_t)-1) == -SYS_EINVAL,
        process_list(processes, 100000, 4) == 0,
        process_list(processes, (size_t)-1, 4) == 0,
        lists_itself(),
        module_list((void *)KERNEL_TEXT, 0, 1) == -SYS_EFAULT,
        module_list(modules, 0, 0) == -SYS_EINVAL,
        lists_counter(),
        symbol_list((void *)KERNEL_TEXT, 0, 1) == -SYS_EFAULT,
        symbol_list(symbols, 0, SYS_LIST_MAX + 1) == -SYS_EINVAL,
        symbol_list(symbols, 0, 4) == 4,
        memory_stats((void *)KERNEL_TEXT) == -SYS_EFAULT,
        memory_stats(0) == -SYS_EFAULT,
        memory_stats((void *)GHOST_TABLE) == -SYS_EFAULT,
        memory_adds_up(),
        trywait(1, (int *)KERNEL_TEXT) == -SYS_EFAULT,
        trywait(0, 0) == -SYS_ECHILD,
        trywait(-5, 0) == -SYS_ECHILD,
        trywait(getpid(), 0) == -SYS_ECHILD,
        kill(0) == -SYS_ESRCH,
        kill(-1) == -SYS_ESRCH,
        kill(1l << 40) == -SYS_ESRCH,
        kill_ends_a_child(),
    };
    for (unsigned i = 0; i < sizeof(results) / sizeof(results[0]); i++)
        if (!results[i])
            return (int)i + 1;
    return 0;
}
