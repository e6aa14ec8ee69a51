/* mapping.c — anonymous memory for programs: map / unmap, and demand
 * paging of what map made.
 *
 * map(len) reserves len bytes (whole pages) of the process's mapping area
 * (USER_MAP_BASE, USER_MAP_SIZE: wisp/process.h) and allocates nothing.
 * The first touch of each page — by the program, or by the kernel's
 * user_copy on its behalf — faults; mapping_fault (called first by trap.c
 * for every page fault) finds the page in a region, and maps a fresh
 * zeroed page RW+NX there. unmap(addr, len) clears the range's entries,
 * shoots the TLBs of the other CPUs down (the process's threads may run
 * there) and then frees the pages that were touched.
 *
 * Locks, per process:
 * - `lock` (spinlock, irqsave; class "mappings") protects the region list,
 *   mapped_bytes and resident. It is taken by page faults, which may come
 *   from user_copy under any lock the kernel holds while it copies (a
 *   futex bucket lock, interrupts off), so it is a leaf among the locks of
 *   kernel/proc: nothing but the address-space and pmm locks (kernel/mm,
 *   through vmm_map_in) is taken under it, and it is never held across a
 *   sleep, an allocation from the heap, or a TLB shootdown (another CPU
 *   spinning on it with interrupts off could not answer the IPI).
 * - `change` (mutex; class "mappings-change") serializes map and unmap, so
 *   that a range being unmapped cannot be handed out again by map before
 *   its TLB entries are gone everywhere and its pages are free.
 *
 * Regions are kept sorted, disjoint and never adjacent (map merges a new
 * range into its neighbours), so a range lies within what map made if and
 * only if it lies within one region.
 *
 * A page fault on a region's page is filled under `lock`: the lookup and
 * the mapping are one step for unmap, which removes the region under the
 * same lock before it clears anything. A page is allocated and zeroed
 * before the lock is taken; when two threads fault on one page at once,
 * the second finds it mapped (-MM_EEXIST), frees its page and returns.
 */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/mm.h>
#include <wisp/trap.h>
#include <wisp/printk.h>
#include <wisp/boot.h>
#include <locks/mutex.h>

#define PF_PRESENT  (1ul << 0)
#define PF_RESERVED (1ul << 3)
#define PF_FETCH    (1ul << 4)
#define UNMAP_CHUNK (PAGE_SIZE / sizeof(uint64_t)) /* pages freed per shootdown */

/* probe_ops.asm: user_copy's one instruction that touches user memory. */
extern const char user_copy_access[];

struct mapping_region {
    uint64_t start, end; /* page aligned, start < end */
    struct mapping_region *next;
};

struct process_mappings {
    struct spinlock lock;           /* the regions, mapped_bytes, resident */
    struct mutex change;            /* held by map and unmap */
    struct mapping_region *regions; /* sorted by start */
    unsigned region_count;
    uint64_t mapped_bytes; /* sum of the regions' lengths: <= USER_MAP_LIMIT */
    size_t resident;       /* pages touched and not unmapped */
};

int mapping_create(struct process *p)
{
    struct process_mappings *m = kzalloc(sizeof(*m));
    if (!m)
        return -SYS_ENOMEM;
    spin_init(&m->lock, "mappings");
    mutex_init(&m->change, "mappings-change");
    p->mappings = m;
    return 0;
}

/* Pages of every process's mappings, touched and not yet freed. */
static size_t resident_total;

static void count_resident(struct process_mappings *m, long pages)
{
    __atomic_fetch_add(&m->resident, (size_t)pages, __ATOMIC_RELAXED);
    __atomic_fetch_add(&resident_total, (size_t)pages, __ATOMIC_RELAXED);
}

size_t mapping_resident_total(void) { return __atomic_load_n(&resident_total, __ATOMIC_RELAXED); }

static void free_page_taken(uint64_t pa, void *arg __unused) { pmm_free_page(pa); }

void mapping_destroy(struct process *p)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    struct process_mappings *m = p->mappings;
    p->mappings = NULL; /* process_snapshot reads it under process_lock */
    spin_unlock_irqrestore(&process_lock, flags);
    if (!m)
        return;
    while (m->regions) {
        struct mapping_region *r = m->regions;
        m->regions = r->next;
        /* no CPU has the space loaded: no shootdown; 2 MiB at a time, so
         * that the space's lock is not held long with interrupts off */
        for (uint64_t va = r->start; va < r->end; va += UNMAP_CHUNK * PAGE_SIZE) {
            size_t pages = MIN((r->end - va) / PAGE_SIZE, UNMAP_CHUNK);
            size_t freed = vmm_unmap_range_in(p->space, va, pages, free_page_taken, NULL);
            count_resident(m, -(long)freed);
        }
        kfree(r);
    }
    kfree(m);
}

size_t mapping_resident_pages(const struct process *p)
{
    return p->mappings ? __atomic_load_n(&p->mappings->resident, __ATOMIC_RELAXED) : 0;
}

/* ---- demand paging ---- */

uint32_t mapping_fail_page_ins;

/* A fresh zeroed page for a page-in, or 0 (none left, or the tests'
 * mapping_fail_page_ins asks for a failure). */
static uint64_t page_for_page_in(void)
{
    uint32_t fail = __atomic_load_n(&mapping_fail_page_ins, __ATOMIC_RELAXED);
    while (fail && !__atomic_compare_exchange_n(&mapping_fail_page_ins, &fail, fail - 1, false,
                                                __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    if (fail)
        return 0;
    uint64_t pa = pmm_alloc_page();
    if (pa)
        mm_zero_page(phys_to_virt(pa));
    return pa;
}

static const struct mapping_region *region_at(const struct process_mappings *m, uint64_t va)
{
    for (const struct mapping_region *r = m->regions; r && r->start <= va; r = r->next)
        if (va < r->end)
            return r;
    return NULL;
}

enum page_in { PAGE_IN_NONE, PAGE_IN_DONE, PAGE_IN_NO_MEMORY };

/* Maps a fresh zeroed page at va (page aligned) of p if a region holds
 * it. Interrupts off (a fault); never sleeps. */
static enum page_in page_in(struct process *p, uint64_t va)
{
    struct process_mappings *m = p->mappings;
    uint64_t pa = page_for_page_in();
    enum page_in result = PAGE_IN_NONE;
    uint64_t flags = spin_lock_irqsave(&m->lock);
    if (region_at(m, va)) {
        int err = pa ? vmm_map_in(p->space, va, pa, VM_WRITE | VM_USER) : -MM_ENOMEM;
        if (err == 0) {
            count_resident(m, 1);
            pa = 0; /* the space has it now */
            result = PAGE_IN_DONE;
        } else {
            /* -MM_EEXIST: another thread mapped it first; the retry works */
            result = err == -MM_EEXIST ? PAGE_IN_DONE : PAGE_IN_NO_MEMORY;
        }
    }
    spin_unlock_irqrestore(&m->lock, flags);
    if (pa)
        pmm_free_page(pa);
    return result;
}

bool mapping_fault(struct trap_frame *f, uint64_t cr2)
{
    bool from_user = (f->cs & 3) == 3;
    if (f->vector != VEC_PAGE_FAULT || (f->error & (PF_PRESENT | PF_RESERVED | PF_FETCH)) ||
        cr2 < USER_MAP_BASE || cr2 >= USER_MAP_BASE + USER_MAP_SIZE)
        return false;
    /* The kernel touches user memory only in user_copy (with AC set). */
    if (!from_user && f->rip != (uint64_t)user_copy_access)
        return false;
    struct process *p = current_thread()->process;
    if (!p || !p->mappings)
        return false;
    enum page_in result = page_in(p, ALIGN_DOWN(cr2, PAGE_SIZE));
    if (result == PAGE_IN_NO_MEMORY) {
        pr_warn("process %u (%s): no physical page left for %016lx of a mapping: ending it\n",
                p->pid, p->name, cr2);
        /* From user mode the fault ends the process now (process_fault);
         * from user_copy the copy fails (-EFAULT) and the process ends at
         * its thread's next safe point (process_check_killed): the fault
         * may have come under a lock (a futex bucket's). */
        if (!from_user)
            __atomic_store_n(&p->page_in_failed, true, __ATOMIC_RELEASE);
    }
    return result == PAGE_IN_DONE;
}

/* ---- map ---- */

/* First fit: the lowest start of len free bytes in the area, or 0. */
static uint64_t find_gap(const struct process_mappings *m, uint64_t len)
{
    uint64_t start = USER_MAP_BASE;
    for (const struct mapping_region *r = m->regions; r; r = r->next) {
        if (r->start - start >= len)
            return start;
        start = r->end;
    }
    return USER_MAP_BASE + USER_MAP_SIZE - start >= len ? start : 0;
}

/* Adds [start, start + len) (free) to the sorted list, merged into the
 * regions it touches. *node is used when it is not merged (then cleared);
 * a region merged away is handed back in *merged. Under m->lock. */
static void insert_region(struct process_mappings *m, uint64_t start, uint64_t len,
                          struct mapping_region **node, struct mapping_region **merged)
{
    uint64_t end = start + len;
    struct mapping_region **pos = &m->regions, *prev = NULL;
    while (*pos && (*pos)->start < start) {
        prev = *pos;
        pos = &(*pos)->next;
    }
    struct mapping_region *next = *pos;
    if (prev && prev->end == start) {
        prev->end = end;
        if (next && next->start == end) { /* the gap is closed: one region */
            prev->end = next->end;
            prev->next = next->next;
            *merged = next;
            m->region_count--;
        }
    } else if (next && next->start == end) {
        next->start = start;
    } else {
        struct mapping_region *r = *node;
        *r = (struct mapping_region){ start, end, next };
        *pos = r;
        *node = NULL;
        m->region_count++;
    }
    m->mapped_bytes += len;
}

long sys_map(long len_arg)
{
    uint64_t len = (uint64_t)len_arg;
    if (len == 0)
        return -SYS_EINVAL;
    if (len > USER_MAP_LIMIT)
        return -SYS_ENOMEM;
    len = ALIGN_UP(len, PAGE_SIZE);
    struct process_mappings *m = current_process()->mappings;
    struct mapping_region *node = kmalloc(sizeof(*node)), *merged = NULL;
    if (!node)
        return -SYS_ENOMEM;
    long result = -SYS_ENOMEM;
    mutex_lock(&m->change);
    uint64_t flags = spin_lock_irqsave(&m->lock);
    uint64_t start = find_gap(m, len);
    if (start && m->mapped_bytes + len <= USER_MAP_LIMIT && m->region_count < USER_MAP_REGIONS) {
        insert_region(m, start, len, &node, &merged);
        result = (long)start;
    }
    spin_unlock_irqrestore(&m->lock, flags);
    mutex_unlock(&m->change);
    kfree(node); /* the range was merged into a neighbour */
    kfree(merged);
    return result;
}

/* ---- unmap ---- */

/* Takes [start, end) out of the region that holds it: 0, -SYS_EINVAL when
 * no region holds it all, -SYS_ENOMEM when a split would pass
 * USER_MAP_REGIONS (nothing changed then). A split uses *spare (then
 * cleared); a region removed whole is handed back in *removed. Under
 * m->lock. */
static long remove_range(struct process_mappings *m, uint64_t start, uint64_t end,
                         struct mapping_region **spare, struct mapping_region **removed)
{
    struct mapping_region **pos = &m->regions;
    while (*pos && (*pos)->end < end)
        pos = &(*pos)->next;
    struct mapping_region *r = *pos;
    if (!r || r->start > start || r->end < end)
        return -SYS_EINVAL;
    if (r->start == start && r->end == end) {
        *pos = r->next;
        *removed = r;
        m->region_count--;
    } else if (r->start == start) {
        r->start = end;
    } else if (r->end == end) {
        r->end = start;
    } else {
        if (m->region_count >= USER_MAP_REGIONS)
            return -SYS_ENOMEM;
        struct mapping_region *tail = *spare;
        *tail = (struct mapping_region){ end, r->end, r->next };
        r->end = start;
        r->next = tail;
        *spare = NULL;
        m->region_count++;
    }
    m->mapped_bytes -= end - start;
    return 0;
}

struct taken_pages {
    uint64_t *pa;
    size_t count;
};

static void collect_page_taken(uint64_t pa, void *arg)
{
    struct taken_pages *t = arg;
    t->pa[t->count++] = pa;
}

/* Clears [start, end) of p's space (no region holds it any more, so no
 * fault maps there again), then, chunk by chunk, shoots the TLBs down and
 * frees the pages that were touched. */
static void release_range(struct process *p, uint64_t start, uint64_t end, uint64_t *buffer)
{
    for (uint64_t va = start; va < end; va += UNMAP_CHUNK * PAGE_SIZE) {
        size_t pages = MIN((end - va) / PAGE_SIZE, UNMAP_CHUNK);
        struct taken_pages taken = { buffer, 0 };
        vmm_unmap_range_in(p->space, va, pages, collect_page_taken, &taken);
        if (!taken.count)
            continue; /* nothing was present: no TLB holds any of it */
        /* every CPU: a thread of p may run, or have run, on any of them */
        vmm_tlb_shootdown(va, pages);
        for (size_t i = 0; i < taken.count; i++)
            pmm_free_page(taken.pa[i]);
        count_resident(p->mappings, -(long)taken.count);
    }
}

long sys_unmap(long addr_arg, long len_arg)
{
    uint64_t start = (uint64_t)addr_arg, len = (uint64_t)len_arg;
    if (len == 0 || (start & (PAGE_SIZE - 1)) || start < USER_MAP_BASE ||
        start >= USER_MAP_BASE + USER_MAP_SIZE || len > USER_MAP_BASE + USER_MAP_SIZE - start)
        return -SYS_EINVAL;
    uint64_t end = ALIGN_UP(start + len, PAGE_SIZE);
    struct process *p = current_process();
    struct process_mappings *m = p->mappings;
    struct mapping_region *spare = kmalloc(sizeof(*spare)), *removed = NULL;
    uint64_t *buffer = kmalloc(UNMAP_CHUNK * sizeof(uint64_t));
    long result = -SYS_ENOMEM;
    if (!spare || !buffer)
        goto out;
    mutex_lock(&m->change);
    uint64_t flags = spin_lock_irqsave(&m->lock);
    result = remove_range(m, start, end, &spare, &removed);
    spin_unlock_irqrestore(&m->lock, flags);
    if (result == 0)
        release_range(p, start, end, buffer);
    mutex_unlock(&m->change);
out:
    kfree(buffer);
    kfree(spare);
    kfree(removed);
    return result;
}
