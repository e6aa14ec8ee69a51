/* vmm.c — x86-64 4-level page tables and the kernel address space.
 *
 * vmm_init() replaces the boot page tables with the final ones:
 *   KERNEL_VMA + phys  the image, 4 KiB pages: text R+X, rodata R, data RW
 *                      (W^X; the linker script page-aligns each section)
 *   HHDM_BASE + phys   all RAM (2 MiB chunks of [0, pmm_direct_map_end())
 *                      that hold RAM or ACPI memory; holes stay unmapped),
 *                      RW+NX; the aliases of the kernel's text and rodata
 *                      are read-only there too
 *   VMM_MMIO_BASE      device registers from vmm_map_mmio, uncached
 * Kernel mappings are global (they survive CR3 switches). Nothing of the low
 * half stays mapped: the boot identity map is gone.
 *
 * Invariants:
 * - Page-table pages come from below 4 GiB (the kernel PML4 is loaded by the
 *   AP trampoline in 32-bit mode; while vmm_init builds the tables only the
 *   first 4 GiB are reachable through the boot direct map).
 * - The kernel half of the PML4 (entries 256..511) is fixed once vmm_init
 *   returns: every slot the kernel uses gets its PDPT at boot and no slot is
 *   added later, so an address space created later can copy those 256
 *   entries and see every kernel mapping made afterwards.
 * - Empty page tables are not freed (unmapping leaves them in place);
 *   vmm_space_destroy frees a space's low-half tables all at once.
 *
 * Locking: an address space's lock protects its page tables; the kernel half
 * belongs to kernel_space, whose lock is taken for any kernel address
 * whatever space the call names. mmio_lock protects the MMIO window; it is
 * taken before kernel_space.lock. Page tables are allocated with the lock
 * held (pmm_lock is a leaf).
 */
#include "mm_internal.h"
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <locks/spinlock.h>
#include <string.h>

#define PTE_PRESENT (1ul << 0)
#define PTE_WRITE   (1ul << 1)
#define PTE_USER    (1ul << 2)
#define PTE_PWT     (1ul << 3)
#define PTE_PCD     (1ul << 4)
#define PTE_LARGE   (1ul << 7) /* PS: a 2 MiB (PD) or 1 GiB (PDPT) page */
#define PTE_GLOBAL  (1ul << 8)
#define PTE_NX      (1ul << 63)
#define PTE_ADDR    0x000ffffffffff000ul
#define LARGE_SIZE  (2ul << 20)
#define EFER_NXE    (1ul << 11)
#define KERNEL_HALF 0xffff800000000000ul

struct address_space {
    struct spinlock lock;
    uint64_t pml4_phys;
};

struct address_space kernel_space = { .lock = SPINLOCK_INIT("kernel_space") };

enum walk_mode {
    WALK_LOOKUP, /* change nothing; may stop at a large page */
    WALK_SPLIT,  /* split a 2 MiB page on the way, create nothing */
    WALK_CREATE, /* create missing tables and split large pages */
};

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];

static vmm_remote_flush_fn remote_flush;
static bool kernel_half_sealed;

static bool is_kernel(uint64_t va) { return va >= KERNEL_HALF; }
static bool is_canonical(uint64_t va) { return (uint64_t)(((int64_t)va >> 47) + 1) <= 1; }
static uint64_t *table_of(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR); }
static unsigned index_at(uint64_t va, int level) { return (va >> (12 + 9 * (level - 1))) & 511; }

static uint64_t pte_bits(unsigned flags)
{
    uint64_t bits = PTE_PRESENT;
    if (flags & VM_WRITE)
        bits |= PTE_WRITE;
    if (flags & VM_USER)
        bits |= PTE_USER;
    if (flags & VM_UNCACHED)
        bits |= PTE_PCD | PTE_PWT;
    if (flags & VM_GLOBAL)
        bits |= PTE_GLOBAL;
    if (!(flags & VM_EXEC))
        bits |= PTE_NX;
    return bits;
}

static unsigned vm_flags_of(uint64_t pte)
{
    return (pte & PTE_WRITE ? VM_WRITE : 0) | (pte & PTE_NX ? 0 : VM_EXEC) |
           (pte & PTE_USER ? VM_USER : 0) | (pte & PTE_PCD ? VM_UNCACHED : 0) |
           (pte & PTE_GLOBAL ? VM_GLOBAL : 0);
}

/* A zeroed page-table page, or 0. */
static uint64_t table_alloc(void)
{
    uint64_t phys = pmm_alloc_pages_low(1);
    if (phys)
        memset(phys_to_virt(phys), 0, PAGE_SIZE);
    return phys;
}

/* Entry flags of a table pointer: permissive; the leaf decides. */
static uint64_t table_bits(uint64_t va)
{
    return PTE_PRESENT | PTE_WRITE | (is_kernel(va) ? 0 : PTE_USER);
}

/* Replaces a 2 MiB page by a table of 512 4 KiB pages with the same rights. */
static bool split_large(uint64_t *pde, uint64_t va)
{
    uint64_t table = table_alloc();
    if (!table)
        return false;
    uint64_t *ptes = phys_to_virt(table);
    uint64_t base = *pde & PTE_ADDR & ~(LARGE_SIZE - 1);
    uint64_t bits =
        *pde & (PTE_NX | PTE_GLOBAL | PTE_PCD | PTE_PWT | PTE_USER | PTE_WRITE | PTE_PRESENT);
    for (unsigned i = 0; i < 512; i++)
        ptes[i] = (base + i * PAGE_SIZE) | bits;
    *pde = table | table_bits(va);
    return true;
}

/* The entry that maps va, walking from the PML4 down to `target` level (1 =
 * PTE, 2 = PDE). *level is where the walk stopped: above target when it met
 * a large page in WALK_LOOKUP mode (or a 1 GiB page), or when it returns
 * NULL: a table is missing (LOOKUP, SPLIT; or a new kernel PML4 slot after
 * boot: level 4), a table or a split could not be allocated (CREATE). */
static uint64_t *walk(struct address_space *as, uint64_t va, int target, enum walk_mode mode,
                      int *level)
{
    uint64_t *table = phys_to_virt(as->pml4_phys);
    for (int lvl = 4; lvl > target; lvl--) {
        uint64_t *e = &table[index_at(va, lvl)];
        if (!(*e & PTE_PRESENT)) {
            *level = lvl;
            if (mode != WALK_CREATE || (lvl == 4 && is_kernel(va) && kernel_half_sealed))
                return NULL;
            uint64_t t = table_alloc();
            if (!t)
                return NULL;
            *e = t | table_bits(va);
        } else if (*e & PTE_LARGE) {
            if (lvl != 2 || mode == WALK_LOOKUP || !split_large(e, va)) {
                *level = lvl;
                return lvl == 2 && mode != WALK_LOOKUP ? NULL : e;
            }
        }
        table = table_of(*e);
    }
    *level = target;
    return &table[index_at(va, target)];
}

/* Kernel addresses live in kernel_space whatever space the caller names. */
static struct address_space *space_for(struct address_space *as, uint64_t va)
{
    return is_kernel(va) ? &kernel_space : as;
}

int vmm_map_in(struct address_space *as, uint64_t va, uint64_t pa, unsigned flags)
{
    if ((va | pa) & (PAGE_SIZE - 1) || !is_canonical(va) || (is_kernel(va) && (flags & VM_USER)) ||
        (pa & ~PTE_ADDR))
        return -MM_EINVAL;
    as = space_for(as, va);
    int level = 0, err = 0;
    uint64_t flags_saved = spin_lock_irqsave(&as->lock);
    uint64_t *e = walk(as, va, 1, WALK_CREATE, &level);
    if (!e)
        err = level == 4 && is_kernel(va) ? -MM_EINVAL : -MM_ENOMEM;
    else if (level != 1)
        err = -MM_EINVAL;
    else if (*e & PTE_PRESENT)
        err = -MM_EEXIST;
    else
        *e = pa | pte_bits(flags);
    spin_unlock_irqrestore(&as->lock, flags_saved);
    return err;
}

/* Rewrites the PTE of a mapped page: to 0 (unmap) or to new rights. */
static int pte_update(struct address_space *as, uint64_t va, bool unmap, unsigned flags)
{
    if ((va & (PAGE_SIZE - 1)) || !is_canonical(va))
        return -MM_EINVAL;
    as = space_for(as, va);
    int level = 0, err = 0;
    uint64_t saved = spin_lock_irqsave(&as->lock);
    uint64_t *e = walk(as, va, 1, WALK_SPLIT, &level);
    if (!e)
        err = level == 2 ? -MM_ENOMEM : -MM_ENOENT; /* a failed split, or nothing */
    else if (level != 1)
        err = -MM_EINVAL; /* a 1 GiB page */
    else if (!(*e & PTE_PRESENT))
        err = -MM_ENOENT;
    else
        *e = unmap ? 0 : (*e & PTE_ADDR) | pte_bits(flags);
    spin_unlock_irqrestore(&as->lock, saved);
    if (!err)
        vmm_tlb_shootdown(va, 1);
    return err;
}

int vmm_unmap_in(struct address_space *as, uint64_t va) { return pte_update(as, va, true, 0); }

int vmm_protect_in(struct address_space *as, uint64_t va, unsigned flags)
{
    if (is_kernel(va) && (flags & VM_USER))
        return -MM_EINVAL;
    return pte_update(as, va, false, flags);
}

/* Walks the range one page table at a time: a missing table (or a large
 * page, which the low half never has) is skipped over whole. */
size_t vmm_unmap_range_in(struct address_space *as, uint64_t va, size_t pages,
                          void (*taken)(uint64_t pa, void *arg), void *arg)
{
    uint64_t end = va + pages * PAGE_SIZE;
    if ((va & (PAGE_SIZE - 1)) || is_kernel(va) || end > KERNEL_HALF || end < va ||
        !is_canonical(end - 1) || as == &kernel_space)
        return 0;
    size_t cleared = 0;
    uint64_t saved = spin_lock_irqsave(&as->lock);
    while (va < end) {
        int level;
        uint64_t *e = walk(as, va, 1, WALK_LOOKUP, &level);
        if (!e || level != 1) {
            uint64_t span = 1ul << (12 + 9 * (level - 1));
            va = ALIGN_DOWN(va, span) + span;
            continue;
        }
        uint64_t *table = e - index_at(va, 1);
        for (unsigned i = index_at(va, 1); i < 512 && va < end; i++, va += PAGE_SIZE) {
            if (table[i] & PTE_PRESENT) {
                uint64_t pa = table[i] & PTE_ADDR;
                table[i] = 0;
                cleared++;
                taken(pa, arg);
            }
        }
    }
    spin_unlock_irqrestore(&as->lock, saved);
    return cleared;
}

bool vmm_query_in(struct address_space *as, uint64_t va, uint64_t *pa, unsigned *flags)
{
    if (!is_canonical(va))
        return false;
    as = space_for(as, va);
    int level;
    uint64_t saved = spin_lock_irqsave(&as->lock);
    uint64_t *e = walk(as, va, 1, WALK_LOOKUP, &level);
    uint64_t entry = e ? *e : 0;
    spin_unlock_irqrestore(&as->lock, saved);
    if (!(entry & PTE_PRESENT))
        return false;
    uint64_t offset_mask = (1ul << (12 + 9 * (level - 1))) - 1;
    if (pa)
        *pa = (entry & PTE_ADDR & ~offset_mask) | (va & offset_mask);
    if (flags)
        *flags = vm_flags_of(entry);
    return true;
}

int vmm_map(uint64_t va, uint64_t pa, unsigned flags)
{
    return vmm_map_in(&kernel_space, va, pa, flags);
}
int vmm_unmap(uint64_t va) { return vmm_unmap_in(&kernel_space, va); }
int vmm_protect(uint64_t va, unsigned flags) { return vmm_protect_in(&kernel_space, va, flags); }

bool vmm_query(uint64_t va, uint64_t *pa, unsigned *flags)
{
    return vmm_query_in(&kernel_space, va, pa, flags);
}

uint64_t vmm_translate(uint64_t va)
{
    uint64_t pa;
    return vmm_query(va, &pa, NULL) ? pa : 0;
}

uint64_t vmm_kernel_pml4_phys(void) { return kernel_space.pml4_phys; }

void vmm_set_remote_flush(vmm_remote_flush_fn fn) { WRITE_ONCE(remote_flush, fn); }

/* Flushes the whole TLB of this CPU, global entries included. */
static void flush_all_local(void)
{
    uint64_t saved = irq_save();
    uint64_t cr4 = read_cr4();
    write_cr4(cr4 & ~CR4_PGE);
    write_cr4(cr4);
    irq_restore(saved);
}

void vmm_tlb_shootdown(uint64_t va, size_t pages)
{
    if (pages > 64) {
        flush_all_local();
    } else {
        for (size_t i = 0; i < pages; i++)
            invlpg(va + i * PAGE_SIZE);
    }
    vmm_remote_flush_fn fn = READ_ONCE(remote_flush);
    if (fn)
        fn(va, pages);
}

/* ---- address spaces other than the kernel's ---- */

struct address_space *vmm_space_create(void)
{
    struct address_space *as = kzalloc(sizeof(*as));
    if (!as)
        return NULL;
    as->pml4_phys = table_alloc();
    if (!as->pml4_phys) {
        kfree(as);
        return NULL;
    }
    spin_init(&as->lock, "address_space");
    const uint64_t *kernel_pml4 = phys_to_virt(kernel_space.pml4_phys);
    uint64_t *pml4 = phys_to_virt(as->pml4_phys);
    memcpy(&pml4[256], &kernel_pml4[256], 256 * sizeof(uint64_t)); /* sealed: stays right */
    return as;
}

/* Frees the tables under a low-half entry at `level` (not the pages mapped). */
static void free_tables(uint64_t entry, int level)
{
    if (!(entry & PTE_PRESENT) || (entry & PTE_LARGE))
        return;
    if (level > 2) {
        const uint64_t *table = table_of(entry);
        for (unsigned i = 0; i < 512; i++)
            free_tables(table[i], level - 1);
    }
    pmm_free_page(entry & PTE_ADDR);
}

void vmm_space_destroy(struct address_space *as)
{
    if (as == &kernel_space)
        panic("vmm: the kernel address space cannot be destroyed");
    if ((read_cr3() & PTE_ADDR) == as->pml4_phys)
        panic("vmm: destroying the address space this CPU runs in");
    const uint64_t *pml4 = phys_to_virt(as->pml4_phys);
    for (unsigned i = 0; i < 256; i++)
        free_tables(pml4[i], 4);
    pmm_free_page(as->pml4_phys);
    kfree(as);
}

void vmm_space_activate(struct address_space *as) { write_cr3(as->pml4_phys); }

/* ---- MMIO window ---- */

struct mmio_mapping {
    uint64_t phys, size, va;
};

static struct spinlock mmio_lock = SPINLOCK_INIT("vmm_mmio");
static struct mmio_mapping mmio_maps[32]; /* remembered for reuse */
static unsigned mmio_count;
static uint64_t mmio_next = VMM_MMIO_BASE;

static uint64_t mmio_lookup(uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < mmio_count; i++) {
        const struct mmio_mapping *m = &mmio_maps[i];
        if (m->phys <= start && end <= m->phys + m->size)
            return m->va + (start - m->phys);
    }
    return 0;
}

static uint64_t mmio_map_new(uint64_t start, uint64_t size)
{
    uint64_t va = mmio_next;
    if (size > VMM_MMIO_BASE + VMM_MMIO_SIZE - va)
        return 0;
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        if (vmm_map(va + off, start + off, VM_WRITE | VM_UNCACHED | VM_GLOBAL) != 0) {
            while (off) {
                off -= PAGE_SIZE;
                vmm_unmap(va + off);
            }
            return 0;
        }
    }
    mmio_next += size + PAGE_SIZE; /* an unmapped guard page between */
    if (mmio_count < ARRAY_SIZE(mmio_maps))
        mmio_maps[mmio_count++] = (struct mmio_mapping){ start, size, va };
    return va;
}

void *vmm_map_mmio(uint64_t phys, size_t size)
{
    uint64_t start = ALIGN_DOWN(phys, PAGE_SIZE);
    uint64_t end = ALIGN_UP(phys + MAX(size, (size_t)1), PAGE_SIZE);
    if (end <= start || (end - 1) & ~PTE_ADDR & ~(PAGE_SIZE - 1))
        return NULL;
    uint64_t saved = spin_lock_irqsave(&mmio_lock);
    uint64_t va = mmio_lookup(start, end);
    if (!va)
        va = mmio_map_new(start, end - start);
    spin_unlock_irqrestore(&mmio_lock, saved);
    return va ? (void *)(va + (phys - start)) : NULL;
}

/* ---- boot: the final kernel tables ---- */

static void map_or_panic(uint64_t va, uint64_t pa, unsigned flags)
{
    int err = vmm_map(va, pa, flags);
    if (err)
        panic("vmm: cannot map %lx -> %lx at boot (error %d)", va, pa, err);
}

static void map_section(const char *start, const char *end, unsigned flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
        map_or_panic(va, va - KERNEL_VMA, flags | VM_GLOBAL);
}

static void map_direct(uint64_t end)
{
    for (uint64_t pa = 0; pa < end; pa += LARGE_SIZE) {
        if (!pmm_range_has_ram(pa, pa + LARGE_SIZE))
            continue; /* a hole: device memory is not mapped WB */
        int level;
        uint64_t *pde = walk(&kernel_space, HHDM_BASE + pa, 2, WALK_CREATE, &level);
        if (!pde || level != 2)
            panic("vmm: cannot build the direct map at %lx", pa);
        *pde = pa | PTE_LARGE | pte_bits(VM_WRITE | VM_GLOBAL);
    }
}

/* Read-only direct-map aliases of the kernel's text and rodata, so that the
 * image cannot be patched through them either. */
static void protect_image_aliases(void)
{
    for (uint64_t va = (uint64_t)__text_start; va < (uint64_t)__rodata_end; va += PAGE_SIZE)
        if (vmm_protect((uint64_t)phys_to_virt(va - KERNEL_VMA), VM_GLOBAL) != 0)
            panic("vmm: cannot write-protect the direct map alias of %lx", va);
}

/* Gives every kernel-half PML4 slot the kernel uses its PDPT, then seals. */
static void populate_kernel_slots(uint64_t direct_end)
{
    const uint64_t slot_size = 1ul << 39;
    uint64_t vas[] = { VMM_MMIO_BASE, KERNEL_VMA };
    int level;
    for (uint64_t off = 0; off < direct_end; off += slot_size)
        if (!walk(&kernel_space, HHDM_BASE + off, 3, WALK_CREATE, &level))
            panic("vmm: out of memory for the kernel PML4");
    for (unsigned i = 0; i < ARRAY_SIZE(vas); i++)
        if (!walk(&kernel_space, vas[i], 3, WALK_CREATE, &level))
            panic("vmm: out of memory for the kernel PML4");
    /* The stack area: every page table, so that mapping a stack never
     * allocates one (kstack.c). */
    for (uint64_t va = VMM_STACK_BASE; va < VMM_STACK_BASE + VMM_STACK_SIZE; va += LARGE_SIZE)
        if (!walk(&kernel_space, va, 1, WALK_CREATE, &level))
            panic("vmm: out of memory for the stack area's page tables");
}

void vmm_init(void)
{
    uint64_t direct_end = pmm_direct_map_end();
    kernel_space.pml4_phys = table_alloc();
    if (!kernel_space.pml4_phys)
        panic("vmm: no page below 4 GiB for the kernel PML4");
    populate_kernel_slots(direct_end);
    map_section(__text_start, __text_end, VM_EXEC);
    map_section(__rodata_start, __rodata_end, 0);
    map_section(__data_start, __data_end, VM_WRITE);
    map_direct(direct_end);
    protect_image_aliases();
    kernel_half_sealed = true;

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    write_cr0(read_cr0() | CR0_WP);
    write_cr3(kernel_space.pml4_phys);
    flush_all_local(); /* drops the boot tables' entries */
    pr_info("vmm: kernel page tables at %lx; direct map of %lu MiB; image W^X\n",
            kernel_space.pml4_phys, direct_end >> 20);
}
