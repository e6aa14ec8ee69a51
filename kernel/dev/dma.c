/* dma.c — DMA memory: physically contiguous pages below 4 GiB (devices
 * with 32-bit DMA reach them), zeroed, reached by the kernel through the
 * direct map, claimed as RESOURCE_DMA for the calling module so that
 * `resources` shows who holds it and an unload gives it back.
 */
#include <wisp/resource.h>
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <string.h>
#include "kernel/dev/dev_internal.h"

void *dma_alloc(size_t bytes, uint64_t *phys, const char *instance)
{
    if (bytes == 0 || bytes > ((size_t)1 << (PMM_MAX_ORDER + 12)))
        return NULL;
    size_t pages = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
    uint64_t pa = pmm_alloc_pages_low(pages);
    if (!pa)
        return NULL;
    if (resource_claim_allocated(RESOURCE_DMA, pa, pa + pages * PAGE_SIZE - 1, instance) < 0) {
        pmm_free_pages(pa, pages);
        return NULL;
    }
    void *memory = phys_to_virt(pa);
    memset(memory, 0, pages * PAGE_SIZE);
    *phys = pa;
    return memory;
}

/* The claim's release gives the pages back (resource.c's undo). */
int dma_free(void *memory) { return resource_release_at(RESOURCE_DMA, virt_to_phys(memory)); }

void dma_dropped(uint64_t first, uint64_t last)
{
    pmm_free_pages(first, (last - first + 1) / PAGE_SIZE);
}
