/* kstack.c — kernel thread stacks, each with an unmapped guard page below.
 *
 * The stack area (VMM_STACK_BASE, mm.h) is cut into KSTACK_SLOTS slots of
 * KSTACK_STRIDE bytes: one guard page, never mapped, then the stack's
 * KSTACK_SIZE bytes, mapped RW+NX from pages of their own. A thread that
 * runs off the bottom of its stack writes to its guard page; the page
 * fault cannot push its frame there either, so the CPU raises a double
 * fault, which runs on its own IST stack (gdt.c) and panics naming the
 * thread (kstack_overflow_check, from trap.c). The kernel is built with
 * -fstack-clash-protection, so a frame larger than a page probes each
 * page on the way down and cannot jump over the guard into the next
 * slot's stack.
 *
 * vmm_init creates every page table of the area at boot, so mapping a
 * stack never allocates a table (and never fails for want of one).
 *
 * Freed stacks: up to KSTACK_CACHE stay mapped for the next thread (a
 * thread's end then costs no TLB shootdown); the others are unmapped,
 * shot down and their pages freed. A slot goes back to the free bitmap
 * only unmapped, so a slot is never mapped anew while another CPU may hold
 * an entry of its old pages.
 *
 * Debug builds (WISP_DEBUG) paint each stack with KSTACK_PAINT when it is
 * handed out; kstack_high_water finds the lowest word no longer painted:
 * the deepest the stack has been.
 *
 * kstack_lock (a leaf, IRQ-safe: thread stacks are freed right after a
 * context switch, interrupts off) protects the bitmap and the cache.
 */
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <locks/spinlock.h>
#include <string.h>

#define KSTACK_PAGES (KSTACK_SIZE / PAGE_SIZE)
#define KSTACK_CACHE 8
#define KSTACK_PAINT 0x6b74736b6b74736bull /* "kstkkstk" */

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t slot_used[KSTACK_SLOTS / 64]; /* kstack_lock */
static uint64_t cache[KSTACK_CACHE];          /* stack bottoms, mapped; kstack_lock */
static unsigned cache_count;                  /* kstack_lock */
static unsigned stacks_in_use;                /* kstack_lock */

static uint64_t slot_stack(unsigned slot)
{
    return VMM_STACK_BASE + (uint64_t)slot * KSTACK_STRIDE + PAGE_SIZE;
}

static void paint(uint64_t bottom)
{
#ifdef WISP_DEBUG
    uint64_t *w = (uint64_t *)bottom;
    for (size_t i = 0; i < KSTACK_SIZE / 8; i++)
        w[i] = KSTACK_PAINT;
#else
    (void)bottom;
#endif
}

/* Unmaps and frees the pages of the stack at bottom (each unmap shoots
 * its page down on every CPU before the page is freed). */
static void unmap_stack(uint64_t bottom, unsigned pages)
{
    for (unsigned i = 0; i < pages; i++) {
        uint64_t va = bottom + i * PAGE_SIZE, pa = vmm_translate(va);
        if (pa && vmm_unmap(va) == 0)
            pmm_free_page(pa);
    }
}

static int take_slot(void)
{
    for (unsigned w = 0; w < KSTACK_SLOTS / 64; w++)
        if (~slot_used[w]) {
            unsigned bit = (unsigned)__builtin_ctzll(~slot_used[w]);
            slot_used[w] |= 1ull << bit;
            return (int)(w * 64 + bit);
        }
    return -1;
}

static void give_slot(uint64_t bottom)
{
    unsigned slot = (unsigned)((bottom - VMM_STACK_BASE) / KSTACK_STRIDE);
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    slot_used[slot / 64] &= ~(1ull << (slot % 64));
    spin_unlock_irqrestore(&kstack_lock, flags);
}

void *kstack_alloc(void)
{
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    uint64_t bottom = cache_count ? cache[--cache_count] : 0;
    int slot = bottom ? 0 : take_slot();
    if (bottom || slot >= 0)
        stacks_in_use++;
    spin_unlock_irqrestore(&kstack_lock, flags);
    if (!bottom && slot < 0)
        return NULL;
    if (!bottom) {
        bottom = slot_stack((unsigned)slot);
        for (unsigned i = 0; i < KSTACK_PAGES; i++) {
            uint64_t pa = pmm_alloc_page();
            if (!pa || vmm_map(bottom + i * PAGE_SIZE, pa, VM_WRITE | VM_GLOBAL) != 0) {
                if (pa)
                    pmm_free_page(pa);
                unmap_stack(bottom, i);
                give_slot(bottom);
                flags = spin_lock_irqsave(&kstack_lock);
                stacks_in_use--;
                spin_unlock_irqrestore(&kstack_lock, flags);
                return NULL;
            }
        }
    }
    paint(bottom);
    return (void *)bottom;
}

void kstack_free(void *stack)
{
    uint64_t bottom = (uint64_t)stack;
    if (!stack)
        return;
    if (bottom < VMM_STACK_BASE || bottom >= VMM_STACK_BASE + VMM_STACK_SIZE ||
        (bottom - VMM_STACK_BASE) % KSTACK_STRIDE != PAGE_SIZE)
        panic("kstack: %lx is no kernel stack", bottom);
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    stacks_in_use--;
    bool cached = cache_count < KSTACK_CACHE;
    if (cached)
        cache[cache_count++] = bottom;
    spin_unlock_irqrestore(&kstack_lock, flags);
    if (cached)
        return;
    unmap_stack(bottom, KSTACK_PAGES);
    give_slot(bottom);
}

bool kstack_guard_hit(uint64_t address, uint64_t *stack_bottom)
{
    if (address < VMM_STACK_BASE || address >= VMM_STACK_BASE + VMM_STACK_SIZE)
        return false;
    uint64_t offset = (address - VMM_STACK_BASE) % KSTACK_STRIDE;
    *stack_bottom = address - offset + PAGE_SIZE;
    return offset < PAGE_SIZE;
}

size_t kstack_high_water(const void *stack)
{
#ifdef WISP_DEBUG
    const uint64_t *w = stack;
    size_t i = 0;
    while (i < KSTACK_SIZE / 8 && w[i] == KSTACK_PAINT)
        i++;
    return KSTACK_SIZE - i * 8;
#else
    (void)stack;
    return 0;
#endif
}

void kstack_stats(size_t *in_use, size_t *cached_pages)
{
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    *in_use = stacks_in_use;
    *cached_pages = (size_t)cache_count * KSTACK_PAGES;
    spin_unlock_irqrestore(&kstack_lock, flags);
}
