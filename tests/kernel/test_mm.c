/* test_mm.c — physical pages and page tables (with fault probes); the heap
 * is tested in test_kmem.c.
 *
 * The vmm tests map at the top of the MMIO window (TEST_VA), which
 * vmm_map_mmio would reach only after handing out 511 GiB; they unmap what
 * they map. The exhaustion test takes every free page for a moment: it runs
 * on the test thread while the other CPUs idle.
 */
#include <wisp/ktest.h>
#include <wisp/mm.h>
#include <wisp/probe.h>
#include <wisp/boot.h>
#include <wisp/cpu.h>
#include <string.h>

#define TEST_VA    (VMM_MMIO_BASE + VMM_MMIO_SIZE - (64ul << 20))
#define FOUR_GIB   (1ul << 32)
#define RET_OPCODE 0xc3

extern char __kernel_start[], __kernel_end[], __boot_start[], __boot_end[];

static uint8_t data_with_ret[64] = { RET_OPCODE };
static const uint32_t rodata_value = 0x600dcafe;

static bool run_overlaps(uint64_t phys, size_t pages, uint64_t start, uint64_t end)
{
    return phys < end && start < phys + pages * PAGE_SIZE;
}

static bool run_is_reserved_memory(uint64_t phys, size_t pages)
{
    uint64_t image = (uint64_t)__kernel_start - KERNEL_VMA;
    return run_overlaps(phys, pages, 0, 1ul << 20) ||
           run_overlaps(phys, pages, (uint64_t)__boot_start, (uint64_t)__boot_end) ||
           run_overlaps(phys, pages, image, (uint64_t)__kernel_end - KERNEL_VMA) ||
           run_overlaps(phys, pages, boot_info.info_phys,
                        boot_info.info_phys + boot_info.info_size);
}

/* ---- pmm ---- */

KTEST(pmm_alloc_returns_distinct_aligned_pages)
{
    enum { N = 64 };
    uint64_t pages[N];
    size_t free_before = pmm_free_page_count();
    for (int i = 0; i < N; i++) {
        pages[i] = pmm_alloc_page();
        KASSERT_NE(pages[i], 0);
        KEXPECT_EQ(pages[i] % PAGE_SIZE, 0);
        KEXPECT_FALSE(run_is_reserved_memory(pages[i], 1));
        for (int j = 0; j < i; j++)
            KEXPECT_NE(pages[i], pages[j]);
    }
    KEXPECT_EQ(pmm_free_page_count(), free_before - N);
    for (int i = 0; i < N; i++)
        pmm_free_page(pages[i]);
    KEXPECT_EQ(pmm_free_page_count(), free_before);
}

KTEST(pmm_alloc_pages_gives_exactly_the_run_asked_for)
{
    size_t free_before = pmm_free_page_count();
    uint64_t run = pmm_alloc_pages(5); /* not a power of two */
    KASSERT_NE(run, 0);
    KEXPECT_EQ(run % PAGE_SIZE, 0);
    KEXPECT_EQ(pmm_free_page_count(), free_before - 5);
    memset(phys_to_virt(run), 0x5a, 5 * PAGE_SIZE); /* the whole run is RAM */
    pmm_free_pages(run, 2);                         /* a run may be freed in parts */
    KEXPECT_EQ(pmm_free_page_count(), free_before - 3);
    pmm_free_pages(run + 2 * PAGE_SIZE, 3);
    KEXPECT_EQ(pmm_free_page_count(), free_before);
}

KTEST(pmm_alloc_pages_low_returns_memory_below_4gib)
{
    uint64_t run = pmm_alloc_pages_low(4);
    KASSERT_NE(run, 0);
    KEXPECT_LT(run + 4 * PAGE_SIZE, FOUR_GIB + 1);
    KEXPECT_EQ(run % PAGE_SIZE, 0);
    pmm_free_pages(run, 4);
}

KTEST(pmm_rejects_runs_larger_than_the_largest_block)
{
    KEXPECT_EQ(pmm_alloc_pages(0), 0);
    KEXPECT_EQ(pmm_alloc_pages((1ul << PMM_MAX_ORDER) + 1), 0);
}

/* Each taken run holds, in its first bytes, the previous run and its size. */
struct taken_run {
    uint64_t next_phys;
    size_t pages;
};

static uint64_t take_all(size_t pages_per_run, uint64_t list, size_t *taken, size_t *bad)
{
    for (uint64_t phys; (phys = pmm_alloc_pages(pages_per_run)) != 0;) {
        struct taken_run *r = phys_to_virt(phys);
        r->next_phys = list;
        r->pages = pages_per_run;
        list = phys;
        *taken += pages_per_run;
        *bad += run_is_reserved_memory(phys, pages_per_run);
    }
    return list;
}

KTEST(pmm_exhaustion_returns_zero_and_frees_restore_the_count)
{
    size_t free_before = pmm_free_page_count(), taken = 0, bad = 0;
    uint64_t list = 0;
    for (int order = PMM_MAX_ORDER; order >= 0; order--)
        list = take_all(1ul << order, list, &taken, &bad);
    size_t free_when_exhausted = pmm_free_page_count();
    uint64_t one_more = pmm_alloc_page();
    uint64_t one_more_low = pmm_alloc_pages_low(1);
    while (list) {
        struct taken_run *r = phys_to_virt(list);
        uint64_t next = r->next_phys;
        pmm_free_pages(list, r->pages);
        list = next;
    }
    KEXPECT_EQ(one_more, 0);
    KEXPECT_EQ(one_more_low, 0);
    KEXPECT_EQ(free_when_exhausted, 0);
    KEXPECT_EQ(taken, free_before);
    KEXPECT_EQ(bad, 0);
    KEXPECT_EQ(pmm_free_page_count(), free_before);
    /* Merging gave the big blocks back: an 8 MiB run is there again. */
    uint64_t big = pmm_alloc_pages(1ul << PMM_MAX_ORDER);
    KEXPECT_NE(big, 0);
    if (big)
        pmm_free_pages(big, 1ul << PMM_MAX_ORDER);
}

KTEST_PANIC(pmm_double_free_panics, "double free")
{
    uint64_t page = pmm_alloc_page();
    pmm_free_page(page);
    pmm_free_page(page);
    barrier();
}

/* ---- vmm ---- */

static uint64_t vmm_translate_in_space(struct address_space *as, uint64_t va)
{
    uint64_t pa;
    return vmm_query_in(as, va, &pa, NULL) ? pa : 0;
}

/* A fresh page holding `fill`, mapped at TEST_VA with `flags`. */
static uint64_t map_test_page(uint8_t fill, unsigned flags)
{
    uint64_t page = pmm_alloc_page();
    if (!page)
        return 0;
    memset(phys_to_virt(page), fill, PAGE_SIZE);
    if (vmm_map(TEST_VA, page, flags) != 0) {
        pmm_free_page(page);
        return 0;
    }
    return page;
}

static void unmap_test_page(uint64_t page)
{
    vmm_unmap(TEST_VA);
    pmm_free_page(page);
}

KTEST(vmm_map_translate_unmap_roundtrip)
{
    uint64_t page = map_test_page(0x11, VM_WRITE);
    KASSERT_NE(page, 0);
    KEXPECT_EQ(vmm_translate(TEST_VA), page);
    KEXPECT_EQ(vmm_translate(TEST_VA + 0x123), page + 0x123);
    KEXPECT_EQ(*(volatile uint8_t *)TEST_VA, 0x11);
    *(volatile uint8_t *)(TEST_VA + 1) = 0x22;
    KEXPECT_EQ(((uint8_t *)phys_to_virt(page))[1], 0x22);
    uint64_t pa;
    unsigned flags;
    KEXPECT_TRUE(vmm_query(TEST_VA, &pa, &flags));
    KEXPECT_EQ(flags & (VM_WRITE | VM_EXEC | VM_USER), VM_WRITE);
    KEXPECT_EQ(vmm_unmap(TEST_VA), 0);
    KEXPECT_EQ(vmm_translate(TEST_VA), 0);
    KEXPECT_FALSE(vmm_query(TEST_VA, NULL, NULL));
    pmm_free_page(page);
}

KTEST(vmm_map_rejects_bad_requests)
{
    uint64_t page = map_test_page(0, VM_WRITE);
    KASSERT_NE(page, 0);
    KEXPECT_EQ(vmm_map(TEST_VA, page, VM_WRITE), -MM_EEXIST);
    KEXPECT_EQ(vmm_map(TEST_VA + 1, page, VM_WRITE), -MM_EINVAL);
    KEXPECT_EQ(vmm_map(TEST_VA + PAGE_SIZE, page + 8, VM_WRITE), -MM_EINVAL);
    KEXPECT_EQ(vmm_map(0x0000900000000000ul, page, VM_WRITE), -MM_EINVAL); /* non-canonical */
    KEXPECT_EQ(vmm_map(TEST_VA + PAGE_SIZE, page, VM_USER), -MM_EINVAL);   /* user page up here */
    unmap_test_page(page);
    KEXPECT_EQ(vmm_unmap(TEST_VA), -MM_ENOENT);
    KEXPECT_EQ(vmm_protect(TEST_VA, VM_WRITE), -MM_ENOENT);
}

KTEST(vmm_read_of_unmapped_page_faults)
{
    uint8_t v = 0;
    int r = probe_read8((void *)TEST_VA, &v);
    KEXPECT_LT(r, 0);
    KEXPECT_EQ(probe_error(r) & (PROBE_PF_PRESENT | PROBE_PF_WRITE | PROBE_PF_FETCH), 0);
    /* ... and a page that was mapped, once unmapped (the TLB was flushed). */
    uint64_t page = map_test_page(0x33, 0);
    KASSERT_NE(page, 0);
    KEXPECT_EQ(probe_read8((void *)TEST_VA, &v), 0);
    KEXPECT_EQ(v, 0x33);
    unmap_test_page(page);
    KEXPECT_LT(probe_read8((void *)TEST_VA, &v), 0);
}

KTEST(vmm_probes_of_non_canonical_addresses_fault)
{
    void *bad = (void *)0x0000900000000000ul;
    uint8_t v;
    KEXPECT_EQ(probe_read8(bad, &v), -(PROBE_FAULT | PROBE_GP));
    KEXPECT_EQ(probe_write8(bad, 0), -(PROBE_FAULT | PROBE_GP));
    KEXPECT_LT(probe_exec(bad), 0);
}

KTEST(vmm_write_to_readonly_mapping_faults)
{
    uint64_t page = map_test_page(0x44, 0);
    KASSERT_NE(page, 0);
    uint8_t v = 0;
    KEXPECT_EQ(probe_read8((void *)TEST_VA, &v), 0);
    KEXPECT_EQ(v, 0x44);
    int r = probe_write8((void *)TEST_VA, 0x55);
    KEXPECT_LT(r, 0);
    KEXPECT_EQ(probe_error(r) & (PROBE_PF_PRESENT | PROBE_PF_WRITE),
               PROBE_PF_PRESENT | PROBE_PF_WRITE);
    KEXPECT_EQ(((uint8_t *)phys_to_virt(page))[0], 0x44);
    unmap_test_page(page);
}

KTEST(vmm_protect_changes_the_rights_at_once)
{
    uint64_t page = map_test_page(0, VM_WRITE);
    KASSERT_NE(page, 0);
    KEXPECT_EQ(probe_write8((void *)TEST_VA, 1), 0); /* the TLB now holds RW */
    KEXPECT_EQ(vmm_protect(TEST_VA, 0), 0);
    KEXPECT_LT(probe_write8((void *)TEST_VA, 2), 0);
    KEXPECT_EQ(vmm_protect(TEST_VA, VM_WRITE), 0);
    KEXPECT_EQ(probe_write8((void *)TEST_VA, 3), 0);
    KEXPECT_EQ(((uint8_t *)phys_to_virt(page))[0], 3);
    unmap_test_page(page);
}

KTEST(vmm_exec_of_nx_page_faults)
{
    uint64_t page = map_test_page(RET_OPCODE, VM_WRITE);
    KASSERT_NE(page, 0);
    int r = probe_exec((void *)TEST_VA);
    KEXPECT_LT(r, 0);
    KEXPECT_EQ(probe_error(r) & (PROBE_PF_PRESENT | PROBE_PF_FETCH),
               PROBE_PF_PRESENT | PROBE_PF_FETCH);
    KEXPECT_EQ(vmm_protect(TEST_VA, VM_EXEC), 0); /* now R+X: the ret runs */
    KEXPECT_EQ(probe_exec((void *)TEST_VA), 0);
    unmap_test_page(page);
}

KTEST(vmm_kernel_text_is_not_writable)
{
    uint8_t *text = (uint8_t *)(uintptr_t)probe_read8;
    unsigned flags = 0;
    KEXPECT_TRUE(vmm_query((uint64_t)text, NULL, &flags));
    KEXPECT_EQ(flags & (VM_WRITE | VM_EXEC), VM_EXEC);
    /* Writing back the byte that is there: harmless if W^X were broken. */
    int r = probe_write8(text, *text);
    KEXPECT_LT(r, 0);
    KEXPECT_TRUE(probe_error(r) & PROBE_PF_WRITE);
    /* Nor through its alias in the direct map. */
    uint8_t *alias = phys_to_virt(virt_to_phys(text));
    KEXPECT_LT(probe_write8(alias, *alias), 0);
}

KTEST(vmm_kernel_rodata_is_not_writable)
{
    const uint8_t *ro = (const uint8_t *)&rodata_value;
    unsigned flags = 0;
    KEXPECT_TRUE(vmm_query((uint64_t)ro, NULL, &flags));
    KEXPECT_EQ(flags & (VM_WRITE | VM_EXEC), 0);
    KEXPECT_LT(probe_write8((void *)ro, *ro), 0);
    KEXPECT_EQ(rodata_value, 0x600dcafe);
}

KTEST(vmm_kernel_data_is_not_executable)
{
    unsigned flags = 0;
    KEXPECT_TRUE(vmm_query((uint64_t)data_with_ret, NULL, &flags));
    KEXPECT_EQ(flags & (VM_WRITE | VM_EXEC), VM_WRITE);
    int r = probe_exec(data_with_ret);
    KEXPECT_LT(r, 0);
    KEXPECT_TRUE(probe_error(r) & PROBE_PF_FETCH);
}

KTEST(vmm_direct_map_is_not_executable)
{
    uint8_t *buf = kmalloc(64);
    KASSERT_NE(buf, NULL);
    buf[0] = RET_OPCODE;
    int r = probe_exec(buf);
    KEXPECT_LT(r, 0);
    KEXPECT_TRUE(probe_error(r) & PROBE_PF_FETCH);
    KEXPECT_EQ(vmm_translate((uint64_t)buf), virt_to_phys(buf));
    kfree(buf);
}

KTEST(vmm_boot_identity_map_is_gone)
{
    uint8_t v;
    KEXPECT_EQ(vmm_translate((uint64_t)__boot_start), 0);
    KEXPECT_LT(probe_read8(__boot_start, &v), 0);
    KEXPECT_LT(probe_read8((void *)0x8000, &v), 0);
}

KTEST(vmm_trampoline_page_can_be_identity_mapped_for_a_while)
{
    uint8_t v = 0;
    KASSERT_EQ(vmm_map(0x8000, 0x8000, VM_EXEC | VM_WRITE), 0);
    KEXPECT_EQ(probe_read8((void *)0x8000, &v), 0);
    KEXPECT_EQ(v, *(uint8_t *)phys_to_virt(0x8000));
    KEXPECT_EQ(vmm_unmap(0x8000), 0);
    KEXPECT_LT(probe_read8((void *)0x8000, &v), 0);
}

KTEST(vmm_kernel_pml4_is_below_4gib)
{
    KEXPECT_NE(vmm_kernel_pml4_phys(), 0);
    KEXPECT_LT(vmm_kernel_pml4_phys(), FOUR_GIB);
    KEXPECT_EQ(read_cr3() & ~0xffful, vmm_kernel_pml4_phys());
}

KTEST(vmm_new_space_shares_the_kernel_half_only)
{
    struct address_space *as = vmm_space_create();
    KASSERT_NE(as, NULL);
    uint64_t pa = 0, user_va = 0x400000;
    KEXPECT_TRUE(vmm_query_in(as, (uint64_t)data_with_ret, &pa, NULL));
    KEXPECT_EQ(pa, virt_to_phys(data_with_ret));
    uint64_t page = pmm_alloc_page();
    KASSERT_NE(page, 0);
    KEXPECT_EQ(vmm_map_in(as, user_va, page, VM_USER | VM_WRITE), 0);
    KEXPECT_EQ(vmm_translate_in_space(as, user_va), page);
    KEXPECT_FALSE(vmm_query(user_va, NULL, NULL)); /* not in the kernel's space */
    /* A kernel mapping made now appears in the new space too. */
    KASSERT_EQ(vmm_map(TEST_VA, page, 0), 0);
    KEXPECT_EQ(vmm_translate_in_space(as, TEST_VA), page);
    KEXPECT_EQ(vmm_unmap(TEST_VA), 0);
    vmm_space_destroy(as);
    pmm_free_page(page);
}

KTEST(vmm_map_mmio_maps_uncached_and_reuses_mappings)
{
    uint64_t lapic_phys = rdmsr(MSR_APIC_BASE) & ~0xffful;
    volatile uint32_t *a = vmm_map_mmio(lapic_phys, PAGE_SIZE);
    volatile uint32_t *b = vmm_map_mmio(lapic_phys + 0x30, 4);
    KASSERT_NE(a, NULL);
    KEXPECT_EQ((uint64_t)b, (uint64_t)a + 0x30);
    KEXPECT_GE((uint64_t)a, VMM_MMIO_BASE);
    unsigned flags = 0;
    KEXPECT_TRUE(vmm_query((uint64_t)a, NULL, &flags));
    KEXPECT_EQ(flags & (VM_UNCACHED | VM_WRITE | VM_EXEC), VM_UNCACHED | VM_WRITE);
    uint32_t version = *b & 0xff; /* LAPIC version register */
    KEXPECT_GE(version, 0x10);
    KEXPECT_LE(version, 0x15);
}

/* ---- mm ---- */

KTEST(mm_counts_are_consistent)
{
    KEXPECT_GT(pmm_total_pages(), (16ul << 20) / PAGE_SIZE);
    KEXPECT_LE(pmm_free_page_count(), pmm_total_pages());
    size_t by_order[PMM_MAX_ORDER + 1], sum = 0;
    pmm_free_blocks_by_order(by_order);
    for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
        sum += by_order[o] << o;
    KEXPECT_EQ(sum, pmm_free_page_count());
    KEXPECT_GT(kmem_bytes_in_use(), 0);
}

/* A kernel stack (kstack.c): its pages mapped RW+NX, the page below it
 * never mapped (a write there faults), and the stack area says whose
 * guard an address is. */
KTEST(kstack_has_an_unmapped_guard_page_below_it)
{
    void *stack = kstack_alloc();
    KASSERT_TRUE(stack != NULL);
    uint64_t bottom = (uint64_t)stack, found = 0;
    unsigned flags = 0;
    KEXPECT_FALSE(vmm_query(bottom - PAGE_SIZE, NULL, NULL));
    for (uint64_t va = bottom; va < bottom + KSTACK_SIZE; va += PAGE_SIZE) {
        KEXPECT_TRUE(vmm_query(va, NULL, &flags));
        KEXPECT_EQ(flags & (VM_WRITE | VM_EXEC), (unsigned)VM_WRITE);
    }
    KEXPECT_TRUE(kstack_guard_hit(bottom - 8, &found));
    KEXPECT_EQ(found, bottom);
    KEXPECT_FALSE(kstack_guard_hit(bottom, &found));
    KEXPECT_FALSE(kstack_guard_hit(bottom + KSTACK_SIZE - 8, &found));
    int r = probe_write8((void *)(bottom - 1), 0);
    KEXPECT_NE(r, 0);
    KEXPECT_EQ(probe_error(r) & PROBE_PF_PRESENT, 0u); /* not present */
    KEXPECT_EQ(probe_write8((void *)bottom, 0), 0);
    kstack_free(stack);
}
