/* msi.c — interrupt vectors for message-signalled interrupts, allocated
 * by the core (0x50..0xdf: above the IO-APIC lines at 0x30+n, below the
 * LAPIC's own at 0xf0) and claimed in the resource registry for the
 * calling module. Legacy devices keep the IO-APIC path (ioapic_route_isa
 * and a `claims irq N` line).
 *
 * msi_lock (a leaf) protects in_use; the claim is made after it is
 * dropped, so the registry's lock is never taken inside it, and
 * msi_vector_dropped (called by the registry with its lock held) takes
 * only msi_lock.
 */
#include <wisp/resource.h>
#include <wisp/trap.h>
#include <wisp/printk.h>
#include <locks/spinlock.h>
#include "kernel/dev/dev_internal.h"

#define MSI_FIRST 0x50u
#define MSI_LAST  0xdfu

static struct spinlock msi_lock = SPINLOCK_INIT("msi_vectors");
static bool in_use[MSI_LAST + 1]; /* msi_lock */

int msi_vector_alloc(irq_handler_fn fn, const char *instance)
{
    for (unsigned v = MSI_FIRST; v <= MSI_LAST; v++) {
        uint64_t flags = spin_lock_irqsave(&msi_lock);
        bool free = !in_use[v];
        in_use[v] = true;
        spin_unlock_irqrestore(&msi_lock, flags);
        if (!free)
            continue;
        if (resource_claim_allocated(RESOURCE_VECTOR, v, v, instance) < 0) {
            msi_vector_dropped(v);
            return -1; /* not a module: the registry said why */
        }
        irq_register(v, fn);
        return (int)v;
    }
    pr_warn("msi: no free vector in %#x-%#x\n", MSI_FIRST, MSI_LAST);
    return -1;
}

int msi_vector_free(int vector)
{
    if (vector < (int)MSI_FIRST || vector > (int)MSI_LAST)
        return -1;
    return resource_release_at(RESOURCE_VECTOR, (uint64_t)vector); /* undo clears it */
}

void msi_vector_dropped(unsigned vector)
{
    if (vector < MSI_FIRST || vector > MSI_LAST)
        return;
    irq_register(vector, NULL);
    uint64_t flags = spin_lock_irqsave(&msi_lock);
    in_use[vector] = false;
    spin_unlock_irqrestore(&msi_lock, flags);
}
