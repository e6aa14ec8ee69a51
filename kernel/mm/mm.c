/* mm.c — brings memory management up (pmm, vmm, heap, in that order) and
 * prints the figures behind the console's `mem` command.
 *
 * No state of its own: each figure is read under the lock of the part that
 * owns it, so a report is a set of consistent snapshots, not one.
 */
#include "mm_internal.h"
#include <wisp/mm.h>
#include <wisp/printk.h>

#define PAGES_TO_KIB(n) ((n) * (PAGE_SIZE / 1024))
#ifdef WISP_DEBUG
#define HEAP_MODE "debug: poisoned frees"
#else
#define HEAP_MODE "no poisoning"
#endif

void mm_init(void)
{
    pmm_init();
    vmm_init();
    kmem_init();
    size_t total = pmm_total_pages(), free = pmm_free_page_count();
    pr_info("mm: %zu MiB usable, %zu MiB free, heap ready (" HEAP_MODE ")\n",
            total >> (20 - PAGE_SHIFT), free >> (20 - PAGE_SHIFT));
}

static void print_pmm(void)
{
    size_t total = pmm_total_pages(), free = pmm_free_page_count();
    size_t by_order[PMM_MAX_ORDER + 1];
    pmm_free_blocks_by_order(by_order);
    kprintf("physical: %zu MiB total, %zu MiB free, %zu KiB used\n", PAGES_TO_KIB(total) >> 10,
            PAGES_TO_KIB(free) >> 10, PAGES_TO_KIB(total - free));
    kprintf("  free blocks by size:");
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        if (by_order[o])
            kprintf(" %zuK:%zu", PAGES_TO_KIB(1ul << o), by_order[o]);
    kprintf("\n");
}

static void print_heap(void)
{
    struct kmem_cache_stats stats[48];
    size_t count = kmem_cache_stats(stats, ARRAY_SIZE(stats));
    kprintf("heap: %zu bytes in use; page runs %zu KiB\n", kmem_bytes_in_use(),
            PAGES_TO_KIB(kmalloc_large_pages()));
    kprintf("  %-20s %8s %10s %10s %8s\n", "cache", "size", "in use", "capacity", "KiB");
    for (size_t i = 0; i < MIN(count, ARRAY_SIZE(stats)); i++) {
        const struct kmem_cache_stats *s = &stats[i];
        if (!s->slab_pages)
            continue;
        kprintf("  %-20s %8zu %10zu %10zu %8zu\n", s->name, s->object_size, s->objects_in_use,
                s->objects_total, PAGES_TO_KIB(s->slab_pages));
    }
    if (count > ARRAY_SIZE(stats))
        kprintf("  (%zu more caches)\n", count - ARRAY_SIZE(stats));
}

void mm_print_stats(void)
{
    print_pmm();
    print_heap();
}
