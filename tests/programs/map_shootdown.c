/* map_shootdown — unmap reaches the TLBs of other CPUs: READERS threads
 * read a mapped page in a loop (its translation stays in their CPUs'
 * TLBs) while the first thread unmaps it, then says so in `unmapped`. A
 * reader that sees `unmapped` set before it reads the page must fault
 * there (the process ends with 142); a read that still works went
 * through a stale TLB entry, and the program exits 99. Exits 1 if the
 * readers never ran, 2 if the fault never came. */
#include "sys.h"

#define PAGE    4096ul
#define READERS 3

static volatile uint64_t *page;
static uint32_t unmapped, running;

static int reader(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&running, 1, __ATOMIC_RELEASE);
    for (;;) {
        uint32_t done = __atomic_load_n(&unmapped, __ATOMIC_ACQUIRE);
        uint64_t value = *page; /* faults once unmap has returned */
        if (done)
            exit(99);
        (void)value;
    }
}

int main(void)
{
    page = map(PAGE);
    if ((long)page < 0)
        return 1;
    *page = 1;
    for (int i = 0; i < READERS; i++)
        if (thread_create(reader, 0) < 0)
            return 1;
    uint64_t start = clock_ns();
    while (__atomic_load_n(&running, __ATOMIC_ACQUIRE) < READERS)
        if (clock_ns() - start > 2000ul * 1000 * 1000)
            return 1;
    sleep(20 * 1000 * 1000); /* the readers spin on their CPUs */
    if (unmap((void *)page, PAGE) != 0)
        return 1;
    __atomic_store_n(&unmapped, 1, __ATOMIC_RELEASE);
    sleep(500 * 1000 * 1000); /* a reader faults meanwhile: ended at once */
    return 2;
}
