/* mm.h — memory management: physical pages (pmm), paging (vmm), heap.
 *
 * kernel/mm/ implements it: pmm.c (buddy allocator over the multiboot2 map),
 * vmm.c (4-level page tables, the kernel address space), kmem.c (slab caches
 * and kmalloc), mm.c (mm_init and the figures the `mem` command prints).
 *
 * Context: every function here may be called from any context that cannot
 * sleep (threads, interrupt handlers, with or without locks held) unless
 * noted: they take IRQ-safe spinlocks and never sleep. Lock order, outermost
 * first: kmem cache lock -> address-space lock -> pmm lock (a leaf).
 */
#pragma once
#include <wisp/compiler.h>

#define PAGE_SIZE  4096ul
#define PAGE_SHIFT 12

/* Errors returned as negative values ("0 or -MM_E..."). */
enum mm_error {
    MM_ENOENT = 2,  /* nothing mapped there */
    MM_ENOMEM = 12, /* no physical page for a page table */
    MM_EEXIST = 17, /* already mapped */
    MM_EINVAL = 22, /* unaligned, non-canonical or outside what the call allows */
};

void mm_init(void); /* pmm, vmm and heap, in that order (BSP, boot) */

/* ---- Physical pages (pmm.c) ------------------------------------------------
 * A buddy allocator: blocks of 2^order pages, order 0..PMM_MAX_ORDER. A run of
 * `count` pages is taken from a block of the next power of two and the tail
 * is given back at once, so any count up to 2^PMM_MAX_ORDER works. Returns a
 * page-aligned physical address, or 0 when no such run is free (exhaustion
 * is never a panic). Freeing pages that are not allocated (double free, or
 * memory the pmm does not manage) is a broken invariant and panics. */
#define PMM_MAX_ORDER 11 /* 8 MiB runs at most */
uint64_t pmm_alloc_page(void);
uint64_t pmm_alloc_pages(size_t count);     /* physically contiguous */
uint64_t pmm_alloc_pages_low(size_t count); /* contiguous, below 4 GiB */
void pmm_free_page(uint64_t phys);
void pmm_free_pages(uint64_t phys, size_t count); /* any sub-run of an allocation */
size_t pmm_total_pages(void);                     /* pages the allocator manages */
size_t pmm_free_page_count(void);
/* Free pages in blocks of each order (index 0..PMM_MAX_ORDER), for `mem`. */
void pmm_free_blocks_by_order(size_t out[PMM_MAX_ORDER + 1]);
/* Zeroes one page (page aligned, mapped writable): rep stosq, 512 stores
 * of 8 bytes. memset's rep stosb makes 4096 under QEMU TCG, where it is
 * most of a page fault's cost (kernel/proc/mapping.c). Any context. */
static inline void mm_zero_page(void *page)
{
    size_t words = PAGE_SIZE / 8;
    __asm__ volatile("rep stosq" : "+D"(page), "+c"(words) : "a"(0ul) : "memory");
}

/* ---- Paging (vmm.c) ----------------------------------------------------------
 * Layout of the kernel half (shared by every address space, see below):
 *   HHDM_BASE        direct map of all RAM, RW+NX, 2 MiB pages
 *   VMM_MMIO_BASE    device memory mapped by vmm_map_mmio (uncached)
 *   VMM_STACK_BASE   kernel thread stacks with guard pages (kstack.c)
 *   KERNEL_VMA       the kernel image, W^X per section
 * The low half is empty in the kernel address space except for what is
 * mapped on purpose (the AP trampoline page while APs start). */
#define VMM_MMIO_BASE 0xffffc00000000000ul
#define VMM_MMIO_SIZE (512ul << 30)

/* Kernel thread stacks (kstack.c): slots of one unmapped guard page and
 * KSTACK_SIZE bytes of stack, in their own 512 GiB slot of the kernel
 * half, every page table of the area made at boot. */
#define VMM_STACK_BASE 0xffffc08000000000ul
#define KSTACK_SIZE    (16 * 1024)
#define KSTACK_STRIDE  (KSTACK_SIZE + PAGE_SIZE)
#define KSTACK_SLOTS   2048
#define VMM_STACK_SIZE ((uint64_t)KSTACK_SLOTS * KSTACK_STRIDE)

enum vm_flags {
    VM_WRITE = 1 << 0,
    VM_EXEC = 1 << 1,
    VM_USER = 1 << 2,
    VM_UNCACHED = 1 << 3,
    VM_GLOBAL = 1 << 4,
};

/* An address space: a PML4 whose kernel half (entries 256..511) points to the
 * same page directories as the kernel's, so kernel mappings appear in every
 * space. Processes will each have one (vmm_space_create). */
struct address_space;
extern struct address_space kernel_space;

/* A new space: empty low half, the kernel's high half. NULL without memory.
 * destroy frees its low-half page tables (not the pages they map; their
 * owner frees those) and must not run on a CPU that has it loaded.
 * activate loads it on the calling CPU (CR3). */
struct address_space *vmm_space_create(void);
void vmm_space_destroy(struct address_space *as);
void vmm_space_activate(struct address_space *as);

int vmm_map_in(struct address_space *as, uint64_t va, uint64_t pa, unsigned flags);
int vmm_unmap_in(struct address_space *as, uint64_t va);
int vmm_protect_in(struct address_space *as, uint64_t va, unsigned flags);
/* Clears the PTEs of the mapped pages in [va, va + pages * PAGE_SIZE) of a
 * low-half range of as, and calls taken(pa, arg) for each, under the
 * space's lock (taken must not sleep; it may free to the pmm). Missing
 * tables are skipped whole. Flushes no TLB: the caller shoots down the
 * range (vmm_tlb_shootdown) before the pages can be reused, unless no CPU
 * can have the space loaded. Returns the number of pages cleared. */
size_t vmm_unmap_range_in(struct address_space *as, uint64_t va, size_t pages,
                          void (*taken)(uint64_t pa, void *arg), void *arg);
/* Looks up va: true and the physical address and flags when mapped. */
bool vmm_query_in(struct address_space *as, uint64_t va, uint64_t *pa, unsigned *flags);

/* The same on kernel_space. All work on one 4 KiB page: va and pa are page
 * aligned (a 2 MiB direct-map page is split when one of its 4 KiB pages is
 * changed). vmm_map fails with -MM_EEXIST on a mapped page. vmm_unmap and
 * vmm_protect flush the TLB through vmm_tlb_shootdown. */
int vmm_map(uint64_t va, uint64_t pa, unsigned flags); /* 0 or -MM_E... */
int vmm_unmap(uint64_t va);
int vmm_protect(uint64_t va, unsigned flags);
bool vmm_query(uint64_t va, uint64_t *pa, unsigned *flags);
uint64_t vmm_translate(uint64_t va); /* phys (with va's page offset), or 0 */
/* Maps device registers uncached (PCD|PWT), RW, NX, in the MMIO window.
 * phys need not be aligned; the same range asked again returns the same
 * mapping. NULL when the window or page tables run out. */
void *vmm_map_mmio(uint64_t phys, size_t size);
uint64_t vmm_kernel_pml4_phys(void); /* below 4 GiB */

/* TLB invalidation after a mapping is removed or weakened. It flushes the
 * calling CPU, then calls the remote hook if one is set. Until the SMP code
 * installs one (an IPI that makes the other online CPUs invlpg the same
 * pages — or flush everything when pages > 64 — and waits for them), only
 * the calling CPU is flushed. The hook is called without vmm locks held but
 * possibly with interrupts off: while it waits it must keep serving flush
 * requests from other CPUs, or two CPUs shooting down at once deadlock. */
typedef void (*vmm_remote_flush_fn)(uint64_t va, size_t pages);
void vmm_set_remote_flush(vmm_remote_flush_fn fn);
void vmm_tlb_shootdown(uint64_t va, size_t pages);

/* ---- Kernel stacks (kstack.c) ------------------------------------------------
 * kstack_alloc: the bottom (lowest address) of a KSTACK_SIZE-byte stack
 * with an unmapped guard page below it, or NULL (no slot or no memory).
 * kstack_free takes it back. Any context that cannot sleep, interrupts on
 * or off (free runs right after a context switch). */
void *kstack_alloc(void);
void kstack_free(void *stack);
/* Is address in a guard page of the stack area? The bottom of the stack
 * above that guard then (trap.c: a stack overflow). */
bool kstack_guard_hit(uint64_t address, uint64_t *stack_bottom);
/* Debug builds: the most bytes of the stack ever in use (the stack is
 * painted when handed out); 0 in release builds. */
size_t kstack_high_water(const void *stack);
/* Stacks handed out, and pages of freed stacks kept mapped for reuse. */
void kstack_stats(size_t *in_use, size_t *cached_pages);

/* ---- Heap (kmem.c) -------------------------------------------------------------
 * kmalloc: power-of-two slab caches from 16 to 2048 bytes (objects aligned to
 * their size class), page runs above that (page aligned; up to 8 MiB).
 * May return NULL; callers handle it. kfree(NULL) does nothing. kfree of a
 * pointer kmalloc did not return panics (broken invariant), as does a double
 * free. With WISP_DEBUG, freed slab objects are filled with KMEM_POISON and
 * checked when handed out again: a changed byte is reported as a use after
 * free (cache, address, offset) and panics. */
#define KMEM_POISON 0x6b
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Walks every cache and slab: each bitmap agrees with its counts and
 * lists, and (WISP_DEBUG) every free object still holds the poison. Prints
 * each problem; returns how many. Takes each cache's lock in turn. */
size_t kmem_check(void);
/* Usable size of a kmalloc'ed block (its size class or page run). */
size_t kmalloc_size(const void *p);

/* Caches of fixed-size objects. align: 0 means 8; a power of two up to the
 * page size. create returns NULL when out of memory or size is too large
 * (objects up to 16 KiB). destroy fails (false) while objects are in use. */
struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
bool kmem_cache_destroy(struct kmem_cache *cache);
void *kmem_cache_alloc(struct kmem_cache *cache);
void kmem_cache_free(struct kmem_cache *cache, void *object);

/* ---- Figures for the `mem` command -------------------------------------------- */
struct kmem_cache_stats {
    const char *name;
    size_t object_size; /* bytes per object (with alignment padding) */
    size_t objects_in_use;
    size_t objects_total; /* capacity of the cache's slabs */
    size_t slab_pages;    /* pages the cache holds */
};
/* Fills up to max entries, one per cache; returns the number of caches. */
size_t kmem_cache_stats(struct kmem_cache_stats *out, size_t max);
size_t kmalloc_large_pages(void); /* pages held by kmalloc's page runs */
size_t kmem_bytes_in_use(void);   /* objects + large runs, in bytes */
/* Prints the whole picture (pmm, heap per cache) with kprintf. */
void mm_print_stats(void);
