/* kmem.c — the kernel heap: slab caches and kmalloc on top of them.
 *
 * A cache hands out objects of one size. It takes slabs — runs of 2^order
 * pages from the pmm, reached through the direct map — and cuts each into
 * a header (struct kmem_slab with a bitmap of the objects handed out) and
 * equal objects. Every page of a slab records the slab in its pmm page
 * descriptor, so kfree finds the slab (and the cache) from any pointer, and
 * a pointer the heap did not hand out is recognised instead of corrupting
 * a free list. Because allocation state is a bitmap, not a list threaded
 * through free objects, a double free is always caught and, with
 * WISP_DEBUG, a whole freed object can be poisoned and checked.
 *
 * kmalloc uses the power-of-two caches kmalloc-16 .. kmalloc-2048 (objects
 * aligned to their size) and, above 2048 bytes, page runs straight from the
 * pmm (first page marked PAGE_KIND_LARGE with the page count).
 *
 * Locking: each cache's lock (IRQ-safe) protects its slab lists, its
 * counters, and the bitmaps and counts of its slabs; pmm_lock is taken under
 * it. caches_lock protects the list of caches and is taken before a cache's
 * lock. Objects themselves belong to whoever allocated them.
 */
#include "mm_internal.h"
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/list.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include <locks/spinlock.h>
#include <string.h>

#define KMALLOC_MIN_SHIFT 4
#define KMALLOC_MAX_SHIFT 11
#define KMALLOC_CLASSES   (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)
#define SLAB_MAX_ORDER    3
#define CACHE_MAX_OBJECT  (16 * 1024)

struct kmem_slab {
    struct kmem_cache *cache;
    struct list_node link; /* on the cache's partial or full list */
    uint8_t *objects;      /* object i is at objects + i * stride */
    uint32_t in_use;
    uint32_t hint;        /* the bitmap word searched first */
    uint64_t allocated[]; /* bit i set: object i is handed out */
};

struct kmem_cache {
    char name[32];
    size_t stride;      /* object size rounded up to the alignment */
    size_t header_size; /* offset of the first object in a slab */
    uint32_t capacity;  /* objects per slab */
    unsigned slab_order;
    struct spinlock lock;
    struct list_node partial; /* slabs with a free object; wholly free ones last */
    struct list_node full;
    size_t slabs, free_slabs, in_use;
    struct list_node link; /* on `caches` (caches_lock) */
};

static struct spinlock caches_lock = SPINLOCK_INIT("kmem_caches");
static struct list_node caches = LIST_INIT(caches);
static struct kmem_cache kmalloc_caches[KMALLOC_CLASSES];
static struct kmem_cache cache_of_caches;
static size_t large_pages; /* atomic */

/* ---- cache layout ---- */

static size_t header_bytes(uint32_t capacity, size_t align)
{
    return ALIGN_UP(sizeof(struct kmem_slab) + 8 * ((capacity + 63) / 64), align);
}

/* Objects of `stride` that fit a slab of `bytes` after its header. */
static uint32_t capacity_for(size_t bytes, size_t stride, size_t align)
{
    uint32_t n = (bytes - sizeof(struct kmem_slab)) / stride;
    while (n && header_bytes(n, align) + n * stride > bytes)
        n--;
    return n;
}

/* Picks the smallest slab that wastes at most 1/8 of itself. */
static void cache_layout(struct kmem_cache *c, size_t align)
{
    for (unsigned order = 0; order <= SLAB_MAX_ORDER; order++) {
        size_t bytes = PAGE_SIZE << order;
        uint32_t n = capacity_for(bytes, c->stride, align);
        c->slab_order = order;
        c->capacity = n;
        if (n && (bytes - n * c->stride) * 8 <= bytes)
            break;
    }
    c->header_size = header_bytes(c->capacity, align);
}

static void cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align)
{
    strlcpy(c->name, name, sizeof(c->name));
    c->stride = ALIGN_UP(MAX(size, (size_t)8), align);
    cache_layout(c, align);
    spin_init(&c->lock, c->name);
    list_init(&c->partial);
    list_init(&c->full);
    c->slabs = c->free_slabs = c->in_use = 0;
    uint64_t flags = spin_lock_irqsave(&caches_lock);
    list_push_back(&caches, &c->link);
    spin_unlock_irqrestore(&caches_lock, flags);
}

/* ---- slabs (cache lock held) ---- */

static void slab_mark_pages(uint64_t phys, size_t pages, enum pmm_page_kind kind, void *owner)
{
    for (size_t i = 0; i < pages; i++) {
        struct pmm_page *pg = pmm_page_of(phys + i * PAGE_SIZE);
        pg->kind = kind;
        pg->owner = owner;
    }
}

static struct kmem_slab *slab_create(struct kmem_cache *c)
{
    size_t pages = 1ul << c->slab_order;
    uint64_t phys = pmm_alloc_pages(pages);
    if (!phys)
        return NULL;
    struct kmem_slab *s = phys_to_virt(phys);
    /* Every byte of a new slab is written once (and objects are poisoned
     * in debug builds, below). Besides hygiene: under QEMU's TCG a page
     * that held translated code (the boot loader's, before the kernel took
     * over) keeps every later store to it on a slow path — 0.5-2 us each —
     * until all its stale translations are gone; a store over the whole
     * page drops them. */
    memset(s, 0, pages * PAGE_SIZE);
    s->cache = c;
    s->objects = (uint8_t *)s + c->header_size;
    s->in_use = 0;
    s->hint = 0;
#ifdef WISP_DEBUG
    memset(s->objects, KMEM_POISON, c->capacity * c->stride);
#endif
    slab_mark_pages(phys, pages, PAGE_KIND_SLAB, s);
    c->slabs++;
    c->free_slabs++;
    list_push_front(&c->partial, &s->link);
    return s;
}

static void slab_destroy(struct kmem_cache *c, struct kmem_slab *s)
{
    list_remove(&s->link);
    c->slabs--;
    c->free_slabs--;
    pmm_free_pages(virt_to_phys(s), 1ul << c->slab_order);
}

/* Index of a free object, now marked handed out; the slab must have one. */
static uint32_t slab_take(struct kmem_cache *c, struct kmem_slab *s)
{
    uint32_t words = (c->capacity + 63) / 64;
    for (uint32_t n = 0; n < words; n++) {
        uint32_t w = (s->hint + n) % words;
        uint64_t free_bits = ~s->allocated[w];
        if (w == words - 1 && c->capacity % 64)
            free_bits &= (1ul << (c->capacity % 64)) - 1;
        if (free_bits) {
            unsigned bit = __builtin_ctzl(free_bits);
            s->allocated[w] |= 1ul << bit;
            s->hint = w;
            return w * 64 + bit;
        }
    }
    panic("kmem: slab %p of cache %s on the partial list has no free object", s, c->name);
}

#ifdef WISP_DEBUG
static void poison_check(const struct kmem_cache *c, const uint8_t *object)
{
    for (size_t i = 0; i < c->stride; i++)
        if (object[i] != KMEM_POISON)
            panic("kmem: use after free in cache %s: object %p, byte at offset %zu "
                  "is 0x%02x, not the poison 0x%02x",
                  c->name, object, i, object[i], KMEM_POISON);
}
#endif

/* ---- objects ---- */

void *kmem_cache_alloc(struct kmem_cache *c)
{
    uint64_t flags = spin_lock_irqsave(&c->lock);
    struct kmem_slab *s = list_empty(&c->partial)
                              ? slab_create(c)
                              : list_entry(c->partial.next, struct kmem_slab, link);
    if (!s) {
        spin_unlock_irqrestore(&c->lock, flags);
        return NULL;
    }
    if (s->in_use++ == 0)
        c->free_slabs--;
    uint32_t index = slab_take(c, s);
    c->in_use++;
    if (s->in_use == c->capacity) {
        list_remove(&s->link);
        list_push_back(&c->full, &s->link);
    }
    spin_unlock_irqrestore(&c->lock, flags);
    uint8_t *object = s->objects + (size_t)index * c->stride;
#ifdef WISP_DEBUG
    poison_check(c, object);
#endif
    return object;
}

/* The slab page descriptor of a heap pointer, or a panic naming the caller. */
static struct pmm_page *heap_page(const void *p, const char *who)
{
    uint64_t va = (uint64_t)p;
    struct pmm_page *pg = NULL;
    if (va >= HHDM_BASE && va - HHDM_BASE < pmm_direct_map_end())
        pg = pmm_page_of(va - HHDM_BASE);
    if (!pg || pg->state != PMM_PAGE_ALLOCATED || pg->kind == PAGE_KIND_NONE)
        panic("%s(%p): not a pointer the heap handed out", who, p);
    return pg;
}

static void slab_release(struct kmem_cache *c, struct kmem_slab *s, uint32_t index)
{
    uint64_t bit = 1ul << (index % 64);
    uint64_t flags = spin_lock_irqsave(&c->lock);
    if (!(s->allocated[index / 64] & bit))
        panic("kmem: double free of %p in cache %s", s->objects + (size_t)index * c->stride,
              c->name);
#ifdef WISP_DEBUG
    memset(s->objects + (size_t)index * c->stride, KMEM_POISON, c->stride);
#endif
    s->allocated[index / 64] &= ~bit;
    c->in_use--;
    if (s->in_use-- == c->capacity) {
        list_remove(&s->link);
        list_push_front(&c->partial, &s->link);
    }
    if (s->in_use == 0) {
        c->free_slabs++;
        list_remove(&s->link);
        list_push_back(&c->partial, &s->link); /* used slabs first */
        if (c->free_slabs > 1)                 /* keep one spare slab */
            slab_destroy(c, s);
    }
    spin_unlock_irqrestore(&c->lock, flags);
}

/* Frees an object of slab s after checking that p is the start of one. */
static void slab_free(struct kmem_slab *s, const void *p, const char *who)
{
    struct kmem_cache *c = s->cache;
    size_t offset = (const uint8_t *)p - s->objects;
    if ((const uint8_t *)p < s->objects || offset % c->stride || offset / c->stride >= c->capacity)
        panic("%s(%p): not the start of an object of cache %s", who, p, c->name);
    slab_release(c, s, offset / c->stride);
}

void kmem_cache_free(struct kmem_cache *c, void *object)
{
    struct pmm_page *pg = heap_page(object, "kmem_cache_free");
    struct kmem_slab *s = pg->owner;
    if (pg->kind != PAGE_KIND_SLAB || s->cache != c)
        panic("kmem_cache_free(%s, %p): the object is not from this cache", c->name, object);
    slab_free(s, object, "kmem_cache_free");
}

/* ---- kmalloc ---- */

static void *large_alloc(size_t size)
{
    size_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    uint64_t phys = pmm_alloc_pages(pages);
    if (!phys)
        return NULL;
    slab_mark_pages(phys, 1, PAGE_KIND_LARGE, (void *)pages);
    slab_mark_pages(phys + PAGE_SIZE, pages - 1, PAGE_KIND_LARGE_TAIL, NULL);
    __atomic_fetch_add(&large_pages, pages, __ATOMIC_RELAXED);
    return memset(phys_to_virt(phys), 0, pages * PAGE_SIZE); /* as slab_create */
}

void *kmalloc(size_t size)
{
    if (size > (1ul << KMALLOC_MAX_SHIFT))
        return size > (PAGE_SIZE << PMM_MAX_ORDER) ? NULL : large_alloc(size);
    unsigned shift = KMALLOC_MIN_SHIFT;
    while ((1ul << shift) < size)
        shift++;
    return kmem_cache_alloc(&kmalloc_caches[shift - KMALLOC_MIN_SHIFT]);
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p && size <= (1ul << KMALLOC_MAX_SHIFT)) /* large_alloc zeroed the rest */
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct pmm_page *pg = heap_page(p, "kfree");
    if (pg->kind == PAGE_KIND_SLAB) {
        slab_free(pg->owner, p, "kfree");
    } else if (pg->kind == PAGE_KIND_LARGE && !((uint64_t)p & (PAGE_SIZE - 1))) {
        size_t pages = (size_t)pg->owner;
        __atomic_fetch_sub(&large_pages, pages, __ATOMIC_RELAXED);
        pmm_free_pages(virt_to_phys(p), pages);
    } else {
        panic("kfree(%p): inside a kmalloc page run, not its start", p);
    }
}

size_t kmalloc_size(const void *p)
{
    const struct pmm_page *pg = heap_page(p, "kmalloc_size");
    if (pg->kind == PAGE_KIND_SLAB)
        return ((const struct kmem_slab *)pg->owner)->cache->stride;
    return pg->kind == PAGE_KIND_LARGE ? (size_t)pg->owner * PAGE_SIZE : 0;
}

/* ---- caches made at run time ---- */

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
    if (!align)
        align = 8;
    if (size == 0 || size > CACHE_MAX_OBJECT || align > PAGE_SIZE || (align & (align - 1)))
        return NULL;
    struct kmem_cache *c = kmem_cache_alloc(&cache_of_caches);
    if (c)
        cache_setup(c, name, size, MAX(align, (size_t)8));
    return c;
}

bool kmem_cache_destroy(struct kmem_cache *c)
{
    uint64_t flags = spin_lock_irqsave(&caches_lock);
    spin_lock(&c->lock);
    bool idle = c->in_use == 0;
    if (idle) {
        list_remove(&c->link);
        while (!list_empty(&c->partial))
            slab_destroy(c, list_entry(c->partial.next, struct kmem_slab, link));
    }
    spin_unlock(&c->lock);
    spin_unlock_irqrestore(&caches_lock, flags);
    if (idle)
        kmem_cache_free(&cache_of_caches, c);
    return idle;
}

/* ---- figures ---- */

size_t kmem_cache_stats(struct kmem_cache_stats *out, size_t max)
{
    size_t n = 0;
    uint64_t flags = spin_lock_irqsave(&caches_lock);
    list_for_each(node, &caches)
    {
        struct kmem_cache *c = list_entry(node, struct kmem_cache, link);
        if (n < max) {
            spin_lock(&c->lock);
            out[n] = (struct kmem_cache_stats){
                c->name, c->stride, c->in_use, c->slabs * c->capacity, c->slabs << c->slab_order,
            };
            spin_unlock(&c->lock);
        }
        n++;
    }
    spin_unlock_irqrestore(&caches_lock, flags);
    return n;
}

/* One slab's consistency (its cache's lock held): its bitmap against its
 * count, its place on the lists, and (debug) the poison of its free
 * objects — a write into a freed object shows here. */
static size_t check_slab(const struct kmem_cache *c, const struct kmem_slab *s, bool full,
                         size_t *in_use)
{
    size_t problems = 0, bits = 0;
    for (uint32_t w = 0; w < (c->capacity + 63) / 64; w++)
        for (uint64_t word = s->allocated[w]; word; word &= word - 1)
            bits++; /* no popcnt: the kernel is built for any x86-64 */
    if (s->cache != c || bits != s->in_use || (full && s->in_use != c->capacity) ||
        (!full && s->in_use == c->capacity)) {
        kprintf("kmem_check: cache %s: slab %p: %zu objects marked, %u counted%s\n", c->name,
                (const void *)s, bits, s->in_use, full ? " (on the full list)" : "");
        problems++;
    }
#ifdef WISP_DEBUG
    for (uint32_t i = 0; i < c->capacity; i++) {
        if (s->allocated[i / 64] & (1ull << (i % 64)))
            continue;
        const uint8_t *object = s->objects + (size_t)i * c->stride;
        for (size_t b = 0; b < c->stride; b++)
            if (object[b] != KMEM_POISON) {
                kprintf("kmem_check: cache %s: free object %p written at offset %zu\n", c->name,
                        (const void *)object, b);
                problems++;
                break;
            }
    }
#endif
    *in_use += s->in_use;
    return problems;
}

size_t kmem_check(void)
{
    size_t problems = 0;
    uint64_t flags = spin_lock_irqsave(&caches_lock);
    list_for_each(node, &caches)
    {
        struct kmem_cache *c = list_entry(node, struct kmem_cache, link);
        size_t in_use = 0, slabs = 0;
        spin_lock(&c->lock);
        list_for_each(pos, &c->partial)
        {
            problems += check_slab(c, list_entry(pos, struct kmem_slab, link), false, &in_use);
            slabs++;
        }
        list_for_each(pos, &c->full)
        {
            problems += check_slab(c, list_entry(pos, struct kmem_slab, link), true, &in_use);
            slabs++;
        }
        if (in_use != c->in_use || slabs != c->slabs) {
            kprintf("kmem_check: cache %s: %zu objects in %zu slabs, counted %zu in %zu\n", c->name,
                    in_use, slabs, c->in_use, c->slabs);
            problems++;
        }
        spin_unlock(&c->lock);
    }
    spin_unlock_irqrestore(&caches_lock, flags);
    return problems;
}

size_t kmalloc_large_pages(void) { return __atomic_load_n(&large_pages, __ATOMIC_RELAXED); }

size_t kmem_bytes_in_use(void)
{
    size_t bytes = kmalloc_large_pages() * PAGE_SIZE;
    uint64_t flags = spin_lock_irqsave(&caches_lock);
    list_for_each(node, &caches)
    {
        const struct kmem_cache *c = list_entry(node, struct kmem_cache, link);
        bytes += READ_ONCE(c->in_use) * c->stride;
    }
    spin_unlock_irqrestore(&caches_lock, flags);
    return bytes;
}

void kmem_init(void)
{
    char name[32];
    cache_setup(&cache_of_caches, "kmem_cache", sizeof(struct kmem_cache), 64);
    for (unsigned i = 0; i < KMALLOC_CLASSES; i++) {
        size_t size = 1ul << (KMALLOC_MIN_SHIFT + i);
        ksnprintf(name, sizeof(name), "kmalloc-%zu", size);
        cache_setup(&kmalloc_caches[i], name, size, MIN(size, PAGE_SIZE));
    }
}
