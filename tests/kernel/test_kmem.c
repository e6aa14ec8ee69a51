/* test_kmem.c — the heap: kmalloc size classes and page runs, kmem caches,
 * poisoning of freed objects (WISP_DEBUG) and the panics of heap misuse. */
#include <wisp/ktest.h>
#include <wisp/mm.h>
#include <string.h>

/* ---- kmalloc ---- */

KTEST(kmalloc_many_sizes_are_aligned_and_usable)
{
    static const size_t sizes[] = { 1,   8,    15,   16,   17,   31,   64,    100,   128,  255,
                                    512, 1000, 2048, 2049, 4096, 5000, 16384, 65536, 70000 };
    void *blocks[ARRAY_SIZE(sizes)];
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        size_t size = sizes[i], align = size > 2048 ? PAGE_SIZE : 16;
        while (align < size && align < 2048)
            align <<= 1;
        blocks[i] = kmalloc(size);
        KASSERT_NE(blocks[i], NULL);
        KEXPECT_EQ((uint64_t)blocks[i] % align, 0);
        KEXPECT_GE(kmalloc_size(blocks[i]), size);
        memset(blocks[i], (int)i, size);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        const uint8_t *p = blocks[i];
        KEXPECT_EQ(p[0], i);
        KEXPECT_EQ(p[sizes[i] - 1], i);
        kfree(blocks[i]);
    }
}

KTEST(kmalloc_large_sizes_use_page_runs)
{
    size_t before = kmalloc_large_pages();
    void *p = kmalloc(64 * 1024);
    KASSERT_NE(p, NULL);
    KEXPECT_EQ((uint64_t)p % PAGE_SIZE, 0);
    KEXPECT_EQ(kmalloc_large_pages(), before + 16);
    kfree(p);
    KEXPECT_EQ(kmalloc_large_pages(), before);
    KEXPECT_EQ(kmalloc(1ul << 40), NULL); /* too large: NULL, no panic */
    KEXPECT_EQ(kmalloc((PAGE_SIZE << PMM_MAX_ORDER) + 1), NULL);
}

KTEST(kmalloc_kzalloc_returns_zeroed_memory)
{
    static const size_t sizes[] = { 24, 256, 3000, 20000 };
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        uint8_t *dirty = kmalloc(sizes[i]);
        KASSERT_NE(dirty, NULL);
        memset(dirty, 0xaa, sizes[i]);
        kfree(dirty);
        uint8_t *p = kzalloc(sizes[i]);
        KASSERT_NE(p, NULL);
        size_t nonzero = 0;
        for (size_t j = 0; j < sizes[i]; j++)
            nonzero += p[j] != 0;
        KEXPECT_EQ(nonzero, 0);
        kfree(p);
    }
}

KTEST(kmalloc_free_returns_pages_to_the_pmm)
{
    enum { N = 512 };
    static void *blocks[N];
    size_t free_before = pmm_free_page_count();
    for (int i = 0; i < N; i++)
        blocks[i] = kmalloc(1024);
    KEXPECT_LT(pmm_free_page_count(), free_before);
    for (int i = 0; i < N; i++)
        kfree(blocks[i]);
    /* Each cache keeps at most one spare slab (8 pages for kmalloc-1024). */
    KEXPECT_GE(pmm_free_page_count() + 8, free_before);
}

#ifdef WISP_DEBUG
KTEST(kmalloc_freed_memory_is_poisoned)
{
    uint8_t *p = kmalloc(512);
    KASSERT_NE(p, NULL);
    memset(p, 0, 512);
    kfree(p);
    size_t poisoned = 0;
    for (size_t i = 0; i < 512; i++)
        poisoned += p[i] == KMEM_POISON;
    KEXPECT_EQ(poisoned, 512);
}
#endif

static int heap_static_object;

KTEST_PANIC(kmalloc_kfree_of_non_heap_pointer_panics, "not a pointer the heap handed out")
{
    kfree(&heap_static_object);
    barrier();
}

KTEST_PANIC(kmalloc_kfree_inside_an_object_panics, "not the start of an object")
{
    uint8_t *p = kmalloc(64);
    kfree(p + 8);
    barrier();
}

KTEST_PANIC(kmalloc_double_free_panics, "double free")
{
    void *p = kmalloc(64);
    kfree(p);
    kfree(p);
    barrier();
}

/* ---- kmem caches ---- */

struct test_object {
    uint64_t id;
    uint8_t payload[32];
};

KTEST(kmem_cache_objects_are_aligned_distinct_and_counted)
{
    enum { N = 200 }; /* several slabs */
    static struct test_object *objects[N];
    struct kmem_cache *c = kmem_cache_create("test-aligned", sizeof(struct test_object), 64);
    KASSERT_NE(c, NULL);
    for (int i = 0; i < N; i++) {
        objects[i] = kmem_cache_alloc(c);
        KASSERT_NE(objects[i], NULL);
        KEXPECT_EQ((uint64_t)objects[i] % 64, 0);
        objects[i]->id = i;
        memset(objects[i]->payload, i, sizeof(objects[i]->payload));
    }
    for (int i = 0; i < N; i++)
        KEXPECT_EQ(objects[i]->id, i); /* nobody overlapped anybody */
    struct kmem_cache_stats stats[64];
    size_t n = kmem_cache_stats(stats, ARRAY_SIZE(stats));
    bool found = false;
    for (size_t i = 0; i < MIN(n, ARRAY_SIZE(stats)); i++) {
        if (strcmp(stats[i].name, "test-aligned") != 0)
            continue;
        found = true;
        KEXPECT_EQ(stats[i].objects_in_use, N);
        KEXPECT_EQ(stats[i].object_size, 64);
        KEXPECT_GE(stats[i].objects_total, N);
    }
    KEXPECT_TRUE(found);
    KEXPECT_FALSE(kmem_cache_destroy(c)); /* objects still in use */
    for (int i = 0; i < N; i++)
        kmem_cache_free(c, objects[i]);
    KEXPECT_TRUE(kmem_cache_destroy(c));
}

KTEST(kmem_cache_reuses_a_freed_object)
{
    struct kmem_cache *c = kmem_cache_create("test-reuse", 48, 0);
    KASSERT_NE(c, NULL);
    void *a = kmem_cache_alloc(c);
    KASSERT_NE(a, NULL);
    kmem_cache_free(c, a);
    void *b = kmem_cache_alloc(c);
    KEXPECT_EQ((uint64_t)b, (uint64_t)a);
    kmem_cache_free(c, b);
    KEXPECT_TRUE(kmem_cache_destroy(c));
}

KTEST(kmem_cache_create_rejects_bad_sizes)
{
    KEXPECT_EQ(kmem_cache_create("test-bad", 0, 0), NULL);
    KEXPECT_EQ(kmem_cache_create("test-bad", 64 * 1024, 0), NULL);
    KEXPECT_EQ(kmem_cache_create("test-bad", 64, 24), NULL); /* not a power of two */
}

#ifdef WISP_DEBUG
KTEST(kmem_freed_object_is_poisoned)
{
    struct kmem_cache *c = kmem_cache_create("test-poison", 100, 0);
    KASSERT_NE(c, NULL);
    uint8_t *p = kmem_cache_alloc(c);
    KASSERT_NE(p, NULL);
    memset(p, 0x11, 100);
    kmem_cache_free(c, p);
    size_t poisoned = 0;
    for (size_t i = 0; i < 100; i++)
        poisoned += p[i] == KMEM_POISON;
    KEXPECT_EQ(poisoned, 100);
    KEXPECT_TRUE(kmem_cache_destroy(c));
}

KTEST_PANIC(kmem_use_after_free_is_reported, "use after free in cache test-uaf")
{
    struct kmem_cache *c = kmem_cache_create("test-uaf", 64, 0);
    uint8_t *p = kmem_cache_alloc(c);
    kmem_cache_free(c, p);
    p[10] = 0;           /* the bug */
    kmem_cache_alloc(c); /* hands p out again: checked */
    barrier();
}
#endif

KTEST_PANIC(kmem_cache_free_to_the_wrong_cache_panics, "not from this cache")
{
    struct kmem_cache *a = kmem_cache_create("test-a", 32, 0);
    struct kmem_cache *b = kmem_cache_create("test-b", 32, 0);
    kmem_cache_free(b, kmem_cache_alloc(a));
    barrier();
}
