/* mm_internal.h — what pmm.c, vmm.c and kmem.c share and nobody else uses.
 *
 * Every physical page the pmm knows (0 .. max pfn) has a struct pmm_page.
 * The pmm owns `next`, `prev`, `state` and `order` (under pmm_lock). The
 * heap owns `kind` and `owner` of pages it has allocated (pmm clears them on
 * allocation and on free, so a stale heap pointer finds PAGE_KIND_NONE).
 */
#pragma once
#include <wisp/compiler.h>

enum pmm_page_state {
    PMM_PAGE_RESERVED = 0, /* not RAM, or RAM the pmm never hands out */
    PMM_PAGE_FREE,         /* inside a free buddy block */
    PMM_PAGE_ALLOCATED,
};

enum pmm_page_kind {
    PAGE_KIND_NONE = 0,
    PAGE_KIND_SLAB,       /* owner: the struct kmem_slab covering the page */
    PAGE_KIND_LARGE,      /* first page of a kmalloc page run; owner: page count */
    PAGE_KIND_LARGE_TAIL, /* other pages of such a run */
};

struct pmm_page {
    uint32_t next, prev; /* free-list links (pfn), PMM_NO_PAGE at the ends */
    uint8_t state;       /* enum pmm_page_state */
    uint8_t order;       /* on the first page of a free block: its order */
    uint8_t head;        /* first page of a free block */
    uint8_t kind;        /* enum pmm_page_kind */
    void *owner;
};

#define PMM_NO_PAGE 0xffffffffu

void pmm_init(void);
void vmm_init(void);
void kmem_init(void);

/* The page descriptor of phys, or NULL when phys is beyond the last page. */
struct pmm_page *pmm_page_of(uint64_t phys);
/* End of RAM-like memory (usable and ACPI), 2 MiB aligned: the direct map
 * covers [0, this). */
uint64_t pmm_direct_map_end(void);
/* Whether [start, end) overlaps RAM-like memory (usable, ACPI) or the first
 * MiB: the direct map covers such 2 MiB chunks and skips holes (MMIO). */
bool pmm_range_has_ram(uint64_t start, uint64_t end);
