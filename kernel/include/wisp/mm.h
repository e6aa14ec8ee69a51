/* mm.h — memory management: physical pages (pmm), paging (vmm), heap.
 *
 * The names below are used by the rest of the core; kernel/mm/ implements
 * them (it may add more). All functions may be called from any context that
 * cannot sleep unless noted (they take IRQ-safe spinlocks, never sleep).
 */
#pragma once
#include <wisp/compiler.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12

void mm_init(void);    /* pmm, vmm and heap, in that order (BSP, boot) */

/* Physical pages. 0 means "no memory" (exhaustion is not a panic). */
uint64_t pmm_alloc_page(void);
uint64_t pmm_alloc_pages(size_t count);          /* physically contiguous */
uint64_t pmm_alloc_pages_low(size_t count);      /* contiguous, below 4 GiB */
void pmm_free_pages(uint64_t phys, size_t count);
size_t pmm_total_pages(void);
size_t pmm_free_page_count(void);

/* Kernel page tables. */
enum vm_flags {
    VM_WRITE = 1 << 0, VM_EXEC = 1 << 1, VM_USER = 1 << 2,
    VM_UNCACHED = 1 << 3, VM_GLOBAL = 1 << 4,
};
int vmm_map(uint64_t va, uint64_t pa, unsigned flags);   /* 4 KiB; 0 or -errno */
int vmm_unmap(uint64_t va);
uint64_t vmm_translate(uint64_t va);                      /* phys, or 0 */
void *vmm_map_mmio(uint64_t phys, size_t size);
uint64_t vmm_kernel_pml4_phys(void);                     /* below 4 GiB */

/* Heap. kmalloc may return NULL; callers handle it. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
