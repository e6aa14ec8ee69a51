/* msi.c — interrupt vectors for message-signalled interrupts, allocated
 * by the core (0x50..0xdf: above the IO-APIC lines at 0x30+n, below the
 * LAPIC's own at 0xf0) and claimed in the resource registry for the
 * calling module. Legacy devices keep the IO-APIC path (ioapic_route_isa
 * and a `claims irq N` line).
 *
 * A vector's handler is an export of the module, named by the module and
 * checked against its manifest (context interrupt or any, sleeps never);
 * the interrupt calls it through the export's dispatch thunk, like any
 * call into the module: a live update reaches the handler with no
 * re-registration, and the interrupt runs wholly on one version.
 *
 * msi_lock (a leaf spinlock, interrupts off) protects the table; the
 * claim is made after it is dropped, so the registry's lock is never
 * taken inside it, and msi_vector_dropped (called by the registry with its
 * lock held) takes only msi_lock. The interrupt reads an entry under it.
 */
#include <wisp/resource.h>
#include <wisp/trap.h>
#include <wisp/printk.h>
#include <locks/spinlock.h>
#include "kernel/dev/dev_internal.h"
#include "modload/dispatch.h"
#include "modload/contract/manifest.h"
#include "modload/module.h"
#include <string.h>

#define MSI_FIRST 0x50u
#define MSI_LAST  0xdfu

struct msi_vector {
    bool in_use;
    struct mod_identity *owner; /* NULL while being claimed */
    uint32_t export_index;
    void *context;
    char instance[24];
};

static struct spinlock msi_lock = SPINLOCK_INIT("msi_vectors");
static struct msi_vector vectors[MSI_LAST + 1]; /* msi_lock */

static void msi_interrupt(struct trap_frame *frame)
{
    uint64_t flags = spin_lock_irqsave(&msi_lock);
    struct msi_vector v = vectors[frame->vector];
    spin_unlock_irqrestore(&msi_lock, flags);
    if (!v.owner)
        return;
    /* The claim (and so the module) stays until msi_vector_dropped has
     * cleared the entry: a module unloads only after its exit, which is
     * where it turns its device's interrupts off. */
    ((void (*)(void *))mod_dispatch_thunk(v.owner, v.export_index))(v.context);
}

/* The handler export's index, or -1 with the reason logged. */
static int handler_index(const struct dev_owner *o, const char *handler)
{
    int e = mod_manifest_find_export(o->manifest, handler);
    int index = e >= 0 ? mod_dispatch_export_index(o->identity, handler) : -1;
    if (index < 0) {
        pr_warn("msi: module %s: no export '%s' for the interrupt handler\n", o->name, handler);
        return -1;
    }
    const struct mod_contract *c = &o->manifest->exports[e];
    if (!(c->context & MOD_CONTEXT_INTERRUPT) || c->sleeps != MOD_SLEEPS_NEVER) {
        pr_warn("msi: module %s: export '%s' is declared context %s, sleeps %s: an interrupt "
                "handler needs context interrupt or any, sleeps never\n",
                o->name, handler, mod_context_name(c->context), mod_sleeps_name(c->sleeps));
        return -1;
    }
    return index;
}

/* A new version's init asking again for an instance's vector: the one its
 * identity has (its handler stays; the export list is the identity's). */
static int inherited(const struct dev_owner *o, const char *instance)
{
    int found = -1;
    uint64_t flags = spin_lock_irqsave(&msi_lock);
    for (unsigned v = MSI_FIRST; v <= MSI_LAST && found < 0; v++)
        if (vectors[v].owner == o->identity && strcmp(vectors[v].instance, instance) == 0)
            found = (int)v;
    spin_unlock_irqrestore(&msi_lock, flags);
    return found;
}

int msi_vector_alloc(const char *handler, void *context, const char *instance)
{
    struct dev_owner o;
    if (!dev_current_owner(&o)) {
        pr_warn("msi: msi_vector_alloc outside a module\n");
        return -1;
    }
    instance = instance ? instance : "";
    int index = handler_index(&o, handler);
    if (index < 0)
        return -1;
    if (o.staging && inherited(&o, instance) >= 0)
        return inherited(&o, instance);
    for (unsigned v = MSI_FIRST; v <= MSI_LAST; v++) {
        uint64_t flags = spin_lock_irqsave(&msi_lock);
        bool free = !vectors[v].in_use;
        vectors[v].in_use = true;
        spin_unlock_irqrestore(&msi_lock, flags);
        if (!free)
            continue;
        if (resource_claim_allocated(RESOURCE_VECTOR, v, v, instance) < 0) {
            msi_vector_dropped(v);
            return -1;
        }
        flags = spin_lock_irqsave(&msi_lock);
        vectors[v].export_index = (uint32_t)index;
        vectors[v].context = context;
        strlcpy(vectors[v].instance, instance, sizeof(vectors[v].instance));
        vectors[v].owner = o.identity;
        spin_unlock_irqrestore(&msi_lock, flags);
        irq_register(v, msi_interrupt);
        return (int)v;
    }
    pr_warn("msi: no free vector in 0x%x-0x%x\n", MSI_FIRST, MSI_LAST);
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
    uint64_t flags = spin_lock_irqsave(&msi_lock);
    memset(&vectors[vector], 0, sizeof(vectors[vector]));
    spin_unlock_irqrestore(&msi_lock, flags);
}
