/* map_threads — THREADS threads touch the same fresh pages of one mapping
 * at once: each adds 1 to the first word of every page (so that the
 * first touch of a page races on several CPUs), then takes a mutex that
 * lives in the mapping (futex_wait / futex_wake on mapped memory) ROUNDS
 * times. Exits 0 when every page counts THREADS (one physical page per
 * page: a second page mapped by a racing fault would lose increments),
 * the mutex's total is exact, the pages cost what they should (memory_
 * stats) and unmap gives them back; otherwise the number of the check. */
#include "sys.h"
#include <wisp/mutex.h>

#define PAGE    4096ul
#define PAGES   512ul
#define THREADS 4
#define ROUNDS  20000
#define SLACK   32 /* pages the rest of the system may allocate or free meanwhile */

struct shared {
    struct wisp_mutex lock; /* in the mapping's first page */
    uint64_t total;         /* under lock */
    uint32_t started;
};

static char *area;

static int worker(void *arg)
{
    struct shared *s = (struct shared *)area;
    __atomic_fetch_add(&s->started, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&s->started, __ATOMIC_ACQUIRE) < THREADS)
        ;                                      /* all at once */
    uint64_t first = (uint64_t)(long)arg;      /* start apart, meet on every page */
    for (uint64_t i = 0; i < PAGES - 1; i++) { /* pages 1.. once each */
        uint64_t page = 1 + (first * 7 + i) % (PAGES - 1);
        __atomic_fetch_add((uint64_t *)(area + page * PAGE), 1, __ATOMIC_RELAXED);
    }
    for (int i = 0; i < ROUNDS; i++) {
        wisp_mutex_lock(&s->lock);
        s->total++;
        if (i % 2048 == 0)
            yield(); /* the others find it held */
        wisp_mutex_unlock(&s->lock);
    }
    return 0;
}

static uint64_t free_pages(void)
{
    struct sys_memory_record r;
    return memory_stats(&r) == 0 ? r.free_pages : 0;
}

int main(void)
{
    struct sys_memory_record r;
    memory_stats(&r); /* the stack page it uses is there before the count */
    area = map(PAGES * PAGE);
    if ((long)area < 0)
        return 1;
    struct shared *s = (struct shared *)area; /* page 0: touched here */
    s->started = 0;
    long tids[THREADS];
    for (int i = 1; i < THREADS; i++)
        if ((tids[i] = thread_create(worker, (void *)(long)i)) < 0)
            return 2;
    long before = (long)free_pages(); /* the threads' stacks are mapped */
    worker((void *)0);
    for (int i = 1; i < THREADS; i++)
        if (thread_join(tids[i]) != 0)
            return 3;
    long after = (long)free_pages();
    for (uint64_t page = 1; page < PAGES; page++)
        if (*(uint64_t *)(area + page * PAGE) != THREADS)
            return 4;
    if (s->total != (uint64_t)THREADS * ROUNDS)
        return 5;
    /* PAGES - 1 pages and one page table, give or take the rest */
    long used = before - after;
    if (used < (long)PAGES - 1 - SLACK || used > (long)PAGES + SLACK)
        return 6;
    if (unmap(area, PAGES * PAGE) != 0)
        return 7;
    if ((long)free_pages() - after < (long)PAGES - 1 - SLACK)
        return 8;
    return 0;
}
