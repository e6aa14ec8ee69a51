/* page_faults — the cost of a page fault on fresh anonymous memory, as
 * tests/bench/linux/lbench.c bench_page_faults measures it: map
 * FAULT_PAGES pages (16 MiB), write one byte per page, rdtsc around the
 * loop. Exits with hundredths of a cycle per fault (tests/kernel/
 * bench_ghost.c runs it once per round), or -1 if map fails. */
#include "sys.h"

#define FAULT_PAGES 4096
#define PAGE        4096ul

int main(void)
{
    size_t size = (size_t)FAULT_PAGES * PAGE;
    volatile char *p = map(size);
    if ((long)p < 0)
        return -1;
    uint64_t start = sys_rdtsc();
    for (size_t off = 0; off < size; off += PAGE)
        p[off] = 1;
    uint64_t cycles = sys_rdtsc() - start;
    unmap((void *)p, size);
    return (int)(cycles * 100 / FAULT_PAGES);
}
