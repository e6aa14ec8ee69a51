/* test_mapping.c — map / unmap and demand paging (kernel/proc/mapping.c),
 * with the test programs map_calls, map_threads, map_fault, map_resident
 * and map_shootdown (tests/programs/).
 */
#include <wisp/ktest.h>
#include <wisp/process.h>
#include "tests/kernel/programs.h"
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <wisp/printk.h>

#define PAGE_FAULT_STATUS (SYS_EXIT_FAULT_BASE + VEC_PAGE_FAULT)

/* Waits up to 5 s for p to have `pages` resident pages: what it has. */
static size_t wait_resident(struct process *p, size_t pages)
{
    size_t now = 0;
    for (int i = 0; i < 500 && (now = mapping_resident_pages(p)) != pages; i++)
        sched_sleep_ns(10 * 1000 * 1000);
    return now;
}

/* Free pages come back a little after a process is collected (its
 * threads' stacks and structs go when they are reaped): waits for them. */
static long pages_missing_since(size_t before)
{
    long missing = 0;
    for (int i = 0; i < 50; i++) {
        missing = (long)before - (long)pmm_free_page_count();
        if (missing <= 16)
            break;
        sched_sleep_ns(10 * 1000 * 1000);
    }
    return missing;
}

KTEST(process_map_gives_zeroed_memory_and_refuses_bad_ranges_and_the_limit)
{
    /* each failed check exits with its number (tests/programs/map_calls.c) */
    KEXPECT_EQ(test_program_run("map_calls", 0, NULL), 0);
}

KTEST(process_map_pages_are_allocated_at_first_touch_and_freed_at_exit)
{
    const char *argv[] = { "map_resident", "4096", "1000" };
    size_t before = pmm_free_page_count(), total_before = mapping_resident_total();
    struct process *p = test_program_spawn("map_resident", 3, argv);
    KASSERT_TRUE(p != NULL);
    KEXPECT_EQ(wait_resident(p, 1000), 1000ul);
    sched_sleep_ns(20 * 1000 * 1000);
    KEXPECT_EQ(mapping_resident_pages(p), 1000ul);               /* the other 3096 never touched */
    KEXPECT_EQ(mapping_resident_total() - total_before, 1000ul); /* memory_stats' mapped_pages */
    long used = (long)before - (long)pmm_free_page_count();
    /* the process itself (~25 pages), 1000 pages and their page tables */
    KEXPECT_GE(used, 1000);
    KEXPECT_LE(used, 1100);
    struct sys_process_record records[SYS_LIST_MAX];
    size_t n = process_snapshot(records, 0, SYS_LIST_MAX), own = 0;
    for (size_t i = 0; i < n; i++)
        if (records[i].pid == p->pid)
            own = records[i].pages;
    /* ps: the image and stack pages, and the 1000 touched */
    KEXPECT_EQ(own, 1000 + p->page_count);
    KEXPECT_GE(p->page_count, 3ul);
    KEXPECT_EQ(process_kill(NULL, p->pid, SYS_EXIT_KILLED), 0);
    KEXPECT_EQ(process_wait(p), SYS_EXIT_KILLED);
    KEXPECT_LE(pages_missing_since(before), 16);
    KEXPECT_EQ(mapping_resident_total(), total_before);
}

KTEST(process_map_touch_after_unmap_or_outside_a_mapping_ends_with_the_page_fault_status)
{
    const char *unmapped[] = { "map_fault", "unmapped" };
    const char *outside[] = { "map_fault", "outside" };
    KEXPECT_EQ(test_program_run("map_fault", 2, unmapped), PAGE_FAULT_STATUS);
    KEXPECT_EQ(test_program_run("map_fault", 2, outside), PAGE_FAULT_STATUS);
}

KTEST(process_map_no_physical_page_at_a_fault_ends_the_process_not_the_kernel)
{
    const char *touch[] = { "map_fault", "no_memory" };
    const char *copy[] = { "map_fault", "no_memory_copy" };
    __atomic_store_n(&mapping_fail_page_ins, 1, __ATOMIC_RELAXED);
    KEXPECT_EQ(test_program_run("map_fault", 2, touch), PAGE_FAULT_STATUS);
    KEXPECT_EQ(__atomic_load_n(&mapping_fail_page_ins, __ATOMIC_RELAXED), 0u);
    __atomic_store_n(&mapping_fail_page_ins, 1, __ATOMIC_RELAXED);
    KEXPECT_EQ(test_program_run("map_fault", 2, copy),
               PAGE_FAULT_STATUS); /* write: -EFAULT, then ended */
    KEXPECT_EQ(__atomic_load_n(&mapping_fail_page_ins, __ATOMIC_RELAXED), 0u);
    __atomic_store_n(&mapping_fail_page_ins, 0, __ATOMIC_RELAXED);
    KEXPECT_EQ(test_program_run("map_calls", 0, NULL), 0); /* and maps work again */
}

KTEST(process_map_threads_touching_the_same_fresh_pages_get_one_page_each)
{
    size_t before = pmm_free_page_count();
    for (int i = 0; i < 3; i++)
        KEXPECT_EQ(test_program_run("map_threads", 0, NULL), 0);
    KEXPECT_LE(pages_missing_since(before), 16);
}

KTEST(process_map_exit_returns_every_page_of_processes_ended_every_way)
{
    const char *argv[] = { "map_resident", "2048", "2048" };
    const char *unmapped[] = { "map_fault", "unmapped" };
    size_t before = pmm_free_page_count();
    struct process *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = test_program_spawn("map_resident", 3, argv);
        KASSERT_TRUE(p[i] != NULL);
    }
    for (int i = 0; i < 4; i++) {
        KEXPECT_EQ(wait_resident(p[i], 2048), 2048ul);
        KEXPECT_EQ(process_kill(NULL, p[i]->pid, SYS_EXIT_KILLED), 0);
    }
    for (int i = 0; i < 4; i++)
        KEXPECT_EQ(process_wait(p[i]), SYS_EXIT_KILLED);
    KEXPECT_EQ(test_program_run("map_fault", 2, unmapped), PAGE_FAULT_STATUS);
    KEXPECT_LE(pages_missing_since(before), 16);
}

KTEST(process_unmap_reaches_the_tlbs_of_threads_on_other_cpus)
{
    /* 3 threads keep reading a page on their CPUs while it is unmapped:
     * after unmap returns, a read must fault (tests/programs/map_shootdown.c) */
    for (int i = 0; i < 3; i++)
        KEXPECT_EQ(test_program_run("map_shootdown", 0, NULL), PAGE_FAULT_STATUS);
}
