/* area.c — the module area: the part of the kernel's top 2 GiB where
 * module code, data, import stubs, guard and dispatch thunks live
 * (MODULE_AREA_START..MODULE_AREA_END, so that -mcmodel=kernel code and
 * rel32 stubs reach the core and the symbol slots). A page bitmap under
 * module_mutex; pages are mapped read-write while a module is filled, then
 * protected by kind (never writable and executable).
 */
#include "modload/loader.h"
#include <wisp/mm.h>
#include <string.h>

#define AREA_PAGES ((MODULE_AREA_END - MODULE_AREA_START) / PAGE_SIZE)

static uint64_t area_used[AREA_PAGES / 64]; /* module_mutex */

/* First fit over a page bitmap; returns the address or 0. */
uint64_t area_alloc(size_t pages)
{
    size_t run = 0;
    for (size_t p = 0; p < AREA_PAGES; p++) {
        bool used = area_used[p / 64] & (1ull << (p % 64));
        run = used ? 0 : run + 1;
        if (run == pages) {
            size_t first = p + 1 - pages;
            for (size_t q = first; q <= p; q++)
                area_used[q / 64] |= 1ull << (q % 64);
            return MODULE_AREA_START + first * PAGE_SIZE;
        }
    }
    return 0;
}

/* Unmaps and frees the pages of [va, va + pages) and returns the range. */
void area_free(uint64_t va, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t page_va = va + i * PAGE_SIZE;
        uint64_t pa = vmm_translate(page_va);
        if (pa) {
            vmm_unmap(page_va);
            pmm_free_page(pa & ~(PAGE_SIZE - 1));
        }
        size_t p = (page_va - MODULE_AREA_START) / PAGE_SIZE;
        area_used[p / 64] &= ~(1ull << (p % 64));
    }
}

size_t module_area_pages_used(void)
{
    size_t used = 0;
    module_lock();
    for (size_t p = 0; p < AREA_PAGES; p++)
        used += (area_used[p / 64] >> (p % 64)) & 1;
    module_unlock();
    return used;
}

bool area_map(uint64_t va, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t pa = pmm_alloc_page();
        if (!pa || vmm_map(va + i * PAGE_SIZE, pa, VM_WRITE | VM_GLOBAL) != 0) {
            if (pa)
                pmm_free_page(pa);
            return false;
        }
        memset((void *)(va + i * PAGE_SIZE), 0, PAGE_SIZE);
    }
    return true;
}

void area_protect(uint64_t va, uint64_t size, unsigned flags)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        vmm_protect(va + off, flags | VM_GLOBAL);
}
