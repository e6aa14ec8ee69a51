/* pmm.c — the physical page allocator: a binary buddy allocator.
 *
 * Memory is cut into blocks of 2^order pages (order 0..PMM_MAX_ORDER), each
 * aligned to its size. Free blocks sit on one list per (zone, order); freeing
 * a block merges it with its buddy (the other half of the block one order
 * up) while that buddy is free, so contiguous runs reappear. Two zones keep
 * memory below 4 GiB for those who need it (the AP trampoline loads CR3 in
 * 32-bit mode): ordinary allocations take high memory first. A block never
 * straddles 4 GiB because 4 GiB is aligned to the largest block.
 *
 * Bookkeeping lives in an array of struct pmm_page (one per page up to the
 * last usable page), carved out of usable RAM at boot; free pages themselves
 * are never written, so memory need not be mapped to be managed.
 *
 * Never handed out: everything below 1 MiB (real-mode structures, the AP
 * trampoline at 0x8000), the boot code, the kernel image, the multiboot2
 * information, boot modules, and the page array itself.
 *
 * Locking: pmm_lock (IRQ-safe, a leaf: nothing else is taken under it)
 * protects the free lists, the counters and the pmm fields of every
 * struct pmm_page. `pages` and `page_count` are written once at boot.
 */
#include "mm_internal.h"
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <locks/spinlock.h>
#include <string.h>

#define LOW_LIMIT          (1ul << 32)
#define MIB                (1ul << 20)
#define BLOCK_PAGES(order) (1ul << (order))

enum { ZONE_LOW, ZONE_HIGH, ZONE_COUNT };
enum { MB2_USABLE = 1, MB2_ACPI_RECLAIMABLE = 3, MB2_ACPI_NVS = 4 };

struct free_list {
    uint32_t head; /* first block's pfn, PMM_NO_PAGE when empty */
    size_t blocks;
};

struct phys_range {
    uint64_t start, end;
};

extern char __boot_start[], __boot_end[], __kernel_start[], __kernel_end[];

static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct pmm_page *pages;
static size_t page_count;
static struct free_list free_lists[ZONE_COUNT][PMM_MAX_ORDER + 1];
static size_t managed_pages, free_pages;
static uint64_t direct_map_end;

static struct phys_range reserved[16];
static unsigned reserved_count;

static unsigned zone_of(uint64_t pfn)
{
    return pfn < (LOW_LIMIT >> PAGE_SHIFT) ? ZONE_LOW : ZONE_HIGH;
}

/* ---- free lists (pmm_lock held) ---- */

static void block_push(uint64_t pfn, unsigned order)
{
    struct free_list *fl = &free_lists[zone_of(pfn)][order];
    struct pmm_page *p = &pages[pfn];
    p->head = 1;
    p->order = order;
    p->prev = PMM_NO_PAGE;
    p->next = fl->head;
    if (fl->head != PMM_NO_PAGE)
        pages[fl->head].prev = pfn;
    fl->head = pfn;
    fl->blocks++;
}

static void block_unlink(uint64_t pfn)
{
    struct pmm_page *p = &pages[pfn];
    struct free_list *fl = &free_lists[zone_of(pfn)][p->order];
    if (p->prev != PMM_NO_PAGE)
        pages[p->prev].next = p->next;
    else
        fl->head = p->next;
    if (p->next != PMM_NO_PAGE)
        pages[p->next].prev = p->prev;
    p->head = 0;
    fl->blocks--;
}

static void set_state(uint64_t pfn, size_t count, enum pmm_page_state state)
{
    for (size_t i = 0; i < count; i++) {
        pages[pfn + i].state = state;
        pages[pfn + i].kind = PAGE_KIND_NONE;
        pages[pfn + i].owner = NULL;
    }
}

/* Frees one aligned block of allocated pages and merges it with free buddies. */
static void block_free(uint64_t pfn, unsigned order)
{
    set_state(pfn, BLOCK_PAGES(order), PMM_PAGE_FREE);
    free_pages += BLOCK_PAGES(order);
    while (order < PMM_MAX_ORDER) {
        uint64_t buddy = pfn ^ BLOCK_PAGES(order);
        if (buddy >= page_count)
            break;
        const struct pmm_page *b = &pages[buddy];
        if (b->state != PMM_PAGE_FREE || !b->head || b->order != order)
            break;
        block_unlink(buddy);
        pfn &= ~BLOCK_PAGES(order);
        order++;
    }
    block_push(pfn, order);
}

/* Frees any run of allocated pages as the largest aligned blocks it holds. */
static void run_free(uint64_t pfn, size_t count)
{
    while (count) {
        unsigned order = 0;
        while (order < PMM_MAX_ORDER && !(pfn & (BLOCK_PAGES(order + 1) - 1)) &&
               BLOCK_PAGES(order + 1) <= count)
            order++;
        block_free(pfn, order);
        pfn += BLOCK_PAGES(order);
        count -= BLOCK_PAGES(order);
    }
}

/* Takes a block of exactly `order` from a zone, splitting a larger one. */
static uint64_t block_alloc(unsigned zone, unsigned order)
{
    unsigned o = order;
    while (o <= PMM_MAX_ORDER && free_lists[zone][o].head == PMM_NO_PAGE)
        o++;
    if (o > PMM_MAX_ORDER)
        return PMM_NO_PAGE;
    uint64_t pfn = free_lists[zone][o].head;
    block_unlink(pfn);
    while (o > order) {
        o--;
        block_push(pfn + BLOCK_PAGES(o), o); /* the upper half stays free */
    }
    set_state(pfn, BLOCK_PAGES(order), PMM_PAGE_ALLOCATED);
    free_pages -= BLOCK_PAGES(order);
    return pfn;
}

/* ---- the API ---- */

static unsigned order_for(size_t count)
{
    unsigned order = 0;
    while (BLOCK_PAGES(order) < count)
        order++;
    return order;
}

static uint64_t run_alloc(size_t count, bool low_only)
{
    if (count == 0 || count > BLOCK_PAGES(PMM_MAX_ORDER))
        return 0;
    unsigned order = order_for(count);
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    uint64_t pfn = low_only ? PMM_NO_PAGE : block_alloc(ZONE_HIGH, order);
    if (pfn == PMM_NO_PAGE)
        pfn = block_alloc(ZONE_LOW, order);
    if (pfn != PMM_NO_PAGE && BLOCK_PAGES(order) > count)
        run_free(pfn + count, BLOCK_PAGES(order) - count);
    spin_unlock_irqrestore(&pmm_lock, flags);
    return pfn == PMM_NO_PAGE ? 0 : pfn << PAGE_SHIFT; /* page 0 is never managed */
}

uint64_t pmm_alloc_page(void) { return run_alloc(1, false); }
uint64_t pmm_alloc_pages(size_t count) { return run_alloc(count, false); }
uint64_t pmm_alloc_pages_low(size_t count) { return run_alloc(count, true); }

void pmm_free_pages(uint64_t phys, size_t count)
{
    uint64_t pfn = phys >> PAGE_SHIFT;
    if (count == 0)
        return;
    if ((phys & (PAGE_SIZE - 1)) || pfn + count > page_count || pfn + count < pfn)
        panic("pmm: free of %zu pages at %lx: not pages the pmm manages", count, phys);
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    for (size_t i = 0; i < count; i++)
        if (pages[pfn + i].state != PMM_PAGE_ALLOCATED)
            panic("pmm: free of page %lx which is %s", (pfn + i) << PAGE_SHIFT,
                  pages[pfn + i].state == PMM_PAGE_FREE ? "free (double free)" : "reserved");
    run_free(pfn, count);
    spin_unlock_irqrestore(&pmm_lock, flags);
}

void pmm_free_page(uint64_t phys) { pmm_free_pages(phys, 1); }
size_t pmm_total_pages(void) { return managed_pages; }
size_t pmm_free_page_count(void) { return READ_ONCE(free_pages); }

void pmm_free_blocks_by_order(size_t out[PMM_MAX_ORDER + 1])
{
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        out[o] = free_lists[ZONE_LOW][o].blocks + free_lists[ZONE_HIGH][o].blocks;
    spin_unlock_irqrestore(&pmm_lock, flags);
}

struct pmm_page *pmm_page_of(uint64_t phys)
{
    uint64_t pfn = phys >> PAGE_SHIFT;
    return pfn < page_count ? &pages[pfn] : NULL;
}

uint64_t pmm_direct_map_end(void) { return direct_map_end; }

bool pmm_range_has_ram(uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < boot_info.region_count; i++) {
        const struct mem_region *r = &boot_info.regions[i];
        bool ram =
            r->type == MB2_USABLE || r->type == MB2_ACPI_RECLAIMABLE || r->type == MB2_ACPI_NVS;
        if (ram && r->base < end && start < r->base + r->length)
            return true;
    }
    return start < MIB; /* real-mode area: BIOS data, RSDP */
}

/* ---- boot: reserved ranges, the page array, the usable regions ---- */

static void reserve(uint64_t start, uint64_t end)
{
    if (reserved_count == ARRAY_SIZE(reserved))
        panic("pmm: more than %zu reserved ranges", ARRAY_SIZE(reserved));
    reserved[reserved_count++] =
        (struct phys_range){ ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE) };
}

static void reserve_boot_ranges(void)
{
    reserve(0, MIB);
    reserve((uint64_t)__boot_start, (uint64_t)__boot_end);
    reserve((uint64_t)__kernel_start - KERNEL_VMA, (uint64_t)__kernel_end - KERNEL_VMA);
    reserve(boot_info.info_phys, boot_info.info_phys + boot_info.info_size);
    for (unsigned i = 0; i < boot_info.module_count; i++)
        reserve(boot_info.modules[i].start, boot_info.modules[i].end);
}

/* End of the first reserved range that overlaps [start, end), or 0. */
static uint64_t reserved_overlap_end(uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < reserved_count; i++)
        if (reserved[i].start < end && start < reserved[i].end)
            return reserved[i].end;
    return 0;
}

/* A place for `size` bytes in usable RAM below 4 GiB (the boot page tables
 * map only that much), clear of every reserved range. */
static uint64_t find_free_range(uint64_t size)
{
    for (unsigned i = 0; i < boot_info.region_count; i++) {
        const struct mem_region *r = &boot_info.regions[i];
        if (r->type != MB2_USABLE)
            continue;
        uint64_t end = MIN(r->base + r->length, LOW_LIMIT);
        uint64_t at = ALIGN_UP(r->base, PAGE_SIZE);
        for (uint64_t next; at + size <= end; at = ALIGN_UP(next, PAGE_SIZE))
            if (!(next = reserved_overlap_end(at, at + size)))
                return at;
    }
    panic("pmm: no room for the page array (%lu KiB)", size >> 10);
}

static void size_memory(void)
{
    uint64_t usable_end = 0;
    for (unsigned i = 0; i < boot_info.region_count; i++) {
        const struct mem_region *r = &boot_info.regions[i];
        uint64_t end = r->base + r->length;
        if (r->type == MB2_USABLE)
            usable_end = MAX(usable_end, ALIGN_DOWN(end, PAGE_SIZE));
        if (r->type == MB2_USABLE || r->type == MB2_ACPI_RECLAIMABLE || r->type == MB2_ACPI_NVS)
            direct_map_end = MAX(direct_map_end, end);
    }
    if (!usable_end)
        panic("pmm: the memory map has no usable RAM");
    direct_map_end = ALIGN_UP(MAX(direct_map_end, MIB), 2 * MIB);
    page_count = usable_end >> PAGE_SHIFT;
}

/* Hands [start, end) to the allocator, skipping reserved ranges from index i. */
static void add_usable(uint64_t start, uint64_t end, unsigned i)
{
    for (; i < reserved_count; i++) {
        const struct phys_range *r = &reserved[i];
        if (r->start < end && start < r->end) {
            if (start < r->start)
                add_usable(start, r->start, i + 1);
            if (r->end < end)
                add_usable(r->end, end, i + 1);
            return;
        }
    }
    uint64_t pfn = start >> PAGE_SHIFT, count = (end - start) >> PAGE_SHIFT;
    for (uint64_t p = pfn; p < pfn + count; p++)
        if (pages[p].state != PMM_PAGE_RESERVED) {
            pr_warn("pmm: memory map regions overlap at %lx; ignoring [%lx, %lx)\n",
                    p << PAGE_SHIFT, start, end);
            return;
        }
    set_state(pfn, count, PMM_PAGE_ALLOCATED);
    run_free(pfn, count);
    managed_pages += count;
}

void pmm_init(void)
{
    for (unsigned z = 0; z < ZONE_COUNT; z++)
        for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
            free_lists[z][o] = (struct free_list){ PMM_NO_PAGE, 0 };
    size_memory();
    reserve_boot_ranges();

    uint64_t array_size = ALIGN_UP(page_count * sizeof(struct pmm_page), PAGE_SIZE);
    uint64_t array_phys = find_free_range(array_size);
    reserve(array_phys, array_phys + array_size);
    pages = phys_to_virt(array_phys);
    memset(pages, 0, array_size); /* all PMM_PAGE_RESERVED */

    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    for (unsigned i = 0; i < boot_info.region_count; i++) {
        const struct mem_region *r = &boot_info.regions[i];
        uint64_t start = ALIGN_UP(r->base, PAGE_SIZE);
        uint64_t end =
            MIN(ALIGN_DOWN(r->base + r->length, PAGE_SIZE), (uint64_t)page_count << PAGE_SHIFT);
        if (r->type == MB2_USABLE && start < end)
            add_usable(start, end, 0);
    }
    spin_unlock_irqrestore(&pmm_lock, flags);
    pr_info("pmm: %zu pages managed (%zu MiB), page array %lu KiB at %lx\n", managed_pages,
            managed_pages >> (20 - PAGE_SHIFT), array_size >> 10, array_phys);
}
