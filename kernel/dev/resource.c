/* resource.c — the registry of hardware resources: one list of claims,
 * each a range of one kind with its owner (a module identity, or the core).
 *
 * Ownership by identity: every version of a module shares its identity
 * (modload/dispatch.h), so a live update changes no owner and there is no
 * moment where a device is unowned or owned twice. A version being loaded
 * beside the live one (an update) may claim what its identity owns
 * already (its init does what the first version's did: the claim is its
 * own) and may claim more: those new claims are *staged* — they exclude
 * others at once but belong to that version until the switch commits them
 * (resource_commit_version) or a failed update drops them
 * (resource_drop_version). An unload drops every claim of the identity.
 *
 * resource_lock protects the list, every claim and next_id; it is taken
 * in process context only (claims are made in init or in calls that may
 * sleep) and nothing else is taken inside it except the log.
 */
#include <wisp/resource.h>
#include <wisp/pci.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include <wisp/mm.h>
#include <wisp/syscall.h>
#include <wisp/time.h>
#include <locks/mutex.h>
#include <locks/lockdep.h>
#include "kernel/dev/dev_internal.h"
#include "modload/dispatch.h"
#include "modload/contract/manifest.h"
#include "modload/module.h"
#include <string.h>

struct claim {
    struct list_node node;
    long id;
    enum resource_kind kind;
    uint64_t first, last;
    unsigned flags;
    struct mod_identity *owner; /* NULL: the core */
    char owner_name[32];
    char instance[24];
    struct module *staged_by; /* a version not yet live whose claim this is */
};

static struct mutex resource_lock = MUTEX_INIT(resource_lock, "resources");
static struct list_node claims = LIST_INIT(claims); /* resource_lock */
static long next_id = 1;                            /* resource_lock */

/* Claims refused because they lie outside the module's manifest: the
 * audit reports them (the last OUTSIDE_KEPT, and how many in all). */
#define OUTSIDE_KEPT 8
static struct {
    char text[RESOURCE_REASON_SIZE];
    uint64_t when_ns;
} outside[OUTSIDE_KEPT];       /* resource_lock */
static unsigned outside_count; /* resource_lock */

static const char *const kind_names[RESOURCE_KIND_COUNT] = {
    "pci", "mmio", "ports", "irq", "vector", "dma",
};

const char *resource_kind_name(enum resource_kind kind)
{
    return (unsigned)kind < RESOURCE_KIND_COUNT ? kind_names[kind] : "?";
}

/* "ports 0x3f8-0x3ff", "pci 00:03.0", "irq 4" */
static void describe(enum resource_kind kind, uint64_t first, uint64_t last, char *out, size_t size)
{
    if (kind == RESOURCE_PCI)
        ksnprintf(out, size, "pci %02lx:%02lx.%lu", first >> 8, (first >> 3) & 31, first & 7);
    else if (kind == RESOURCE_IRQ || kind == RESOURCE_VECTOR)
        ksnprintf(out, size, "%s %lu", kind_names[kind], first);
    else if (first == last)
        ksnprintf(out, size, "%s 0x%lx", resource_kind_name(kind), first);
    else
        ksnprintf(out, size, "%s 0x%lx-0x%lx", resource_kind_name(kind), first, last);
}

static long refuse(struct resource_refusal *why, const char *owner, const char *format, ...)
{
    char message[RESOURCE_REASON_SIZE];
    va_list ap;
    va_start(ap, format);
    kvsnprintf(message, sizeof(message), format, ap);
    va_end(ap);
    pr_warn("resource: %s: claim refused: %s\n", owner, message);
    if (why)
        strlcpy(why->message, message, sizeof(why->message));
    return -1;
}

/* ---- the manifest check ---- */

/* Whether a PCI function (by address) is claimed by identity id. */
static bool owns_pci_bar_range_locked(struct mod_identity *id, uint64_t first, uint64_t last)
{
    lockdep_assert_held(&resource_lock.dep);
    list_for_each(pos, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (c->owner != id || c->kind != RESOURCE_PCI)
            continue;
        const struct pci_function *f = pci_find_address((uint32_t)c->first);
        for (unsigned b = 0; f && b < PCI_BAR_COUNT; b++)
            if (f->bars[b].kind >= PCI_BAR_MEM32 && f->bars[b].size && first >= f->bars[b].base &&
                last <= f->bars[b].base + f->bars[b].size - 1)
                return true;
    }
    return false;
}

static bool allowed_locked(const struct dev_owner *o, enum resource_kind kind, uint64_t first,
                           uint64_t last, char *why, size_t size)
{
    lockdep_assert_held(&resource_lock.dep);
    if (!o->identity)
        return true; /* the core */
    const struct mod_manifest *m = o->manifest;
    if (kind == RESOURCE_MMIO) {
        if (owns_pci_bar_range_locked(o->identity, first, last))
            return true;
        ksnprintf(why, size, "mmio 0x%lx-0x%lx is not inside a BAR of a PCI function it claims",
                  first, last);
        return false;
    }
    uint32_t want = 0;
    if (kind == RESOURCE_PCI) {
        const struct pci_function *f = pci_find_address((uint32_t)first);
        if (!f || first != last) {
            ksnprintf(why, size, "no PCI function at %02lx:%02lx.%lu", first >> 8,
                      (first >> 3) & 31, first & 7);
            return false;
        }
        want = (uint32_t)f->vendor << 16 | f->device;
    }
    for (uint32_t i = 0; m && i < m->claim_count; i++) {
        const struct mod_claim_decl *d = &m->claims[i];
        if ((kind == RESOURCE_PCI && d->kind == MOD_CLAIM_PCI && d->first == want) ||
            (kind == RESOURCE_PORTS && d->kind == MOD_CLAIM_PORTS && first >= d->first &&
             last <= d->last) ||
            (kind == RESOURCE_IRQ && d->kind == MOD_CLAIM_IRQ && first == d->first &&
             last == d->first))
            return true;
    }
    char what[48];
    describe(kind, first, last, what, sizeof(what));
    if (kind == RESOURCE_PCI)
        ksnprintf(why, size, "%s (%04x:%04x) is outside its manifest's claims", what, want >> 16,
                  want & 0xffff);
    else
        ksnprintf(why, size, "%s is outside its manifest's claims", what);
    return false;
}

/* ---- claims ---- */

static struct claim *find_overlap_locked(enum resource_kind kind, uint64_t first, uint64_t last)
{
    lockdep_assert_held(&resource_lock.dep);
    list_for_each(pos, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (c->kind == kind && c->first <= last && first <= c->last)
            return c;
    }
    return NULL;
}

static long claim_as(const struct dev_owner *o, enum resource_kind kind, uint64_t first,
                     uint64_t last, unsigned flags, const char *instance,
                     struct resource_refusal *why, bool check_manifest)
{
    char what[48], reason[160];
    if ((unsigned)kind >= RESOURCE_KIND_COUNT || last < first)
        return refuse(why, o->name, "bad resource (kind %u, 0x%lx-0x%lx)", (unsigned)kind, first,
                      last);
    describe(kind, first, last, what, sizeof(what));
    mutex_lock(&resource_lock);
    if (check_manifest && !allowed_locked(o, kind, first, last, reason, sizeof(reason))) {
        unsigned slot = outside_count++ % OUTSIDE_KEPT;
        ksnprintf(outside[slot].text, sizeof(outside[slot].text), "module '%s': %s", o->name,
                  reason);
        outside[slot].when_ns = clock_ns();
        mutex_unlock(&resource_lock);
        return refuse(why, o->name, "module '%s': %s", o->name, reason);
    }
    list_for_each(pos, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (c->kind != kind || c->last < first || last < c->first)
            continue;
        bool both_shared = (c->flags & flags & RESOURCE_SHARED) != 0;
        /* A new version's init claiming what its identity owns: its own. */
        if (o->staging && c->owner == o->identity && !c->staged_by && c->first == first &&
            c->last == last) {
            long id = c->id;
            mutex_unlock(&resource_lock);
            return id;
        }
        if (!both_shared) {
            char owner[80];
            if (!c->owner)
                ksnprintf(owner, sizeof(owner), "the core (%s)", c->instance);
            else if (c->instance[0])
                ksnprintf(owner, sizeof(owner), "module '%s' (instance %s)", c->owner_name,
                          c->instance);
            else
                ksnprintf(owner, sizeof(owner), "module '%s'", c->owner_name);
            mutex_unlock(&resource_lock);
            return refuse(why, o->name, "%s %s claimed by %s%s", what,
                          c->first == first && c->last == last ? "is" : "overlaps what is", owner,
                          c->flags & RESOURCE_SHARED ? " (shared; claim it shared)" : "");
        }
    }
    struct claim *c = kzalloc(sizeof(*c));
    if (!c) {
        mutex_unlock(&resource_lock);
        return refuse(why, o->name, "out of memory for the claim of %s", what);
    }
    c->id = next_id++;
    c->kind = kind;
    c->first = first;
    c->last = last;
    c->flags = flags & RESOURCE_SHARED;
    c->owner = o->identity;
    strlcpy(c->owner_name, o->name, sizeof(c->owner_name));
    if (instance)
        strlcpy(c->instance, instance, sizeof(c->instance));
    c->staged_by = o->staging ? o->version : NULL;
    list_push_back(&claims, &c->node);
    long id = c->id;
    mutex_unlock(&resource_lock);
    return id;
}

long resource_claim(enum resource_kind kind, uint64_t first, uint64_t last, unsigned flags,
                    const char *instance, struct resource_refusal *why)
{
    struct dev_owner o;
    if (!dev_current_owner(&o))
        return refuse(why, "?",
                      "resource_claim is called by a module (its init, or a call "
                      "into it)");
    if (kind == RESOURCE_VECTOR || kind == RESOURCE_DMA)
        return refuse(why, o.name, "module '%s': %s are allocated, not claimed (%s)", o.name,
                      kind == RESOURCE_VECTOR ? "vectors" : "DMA memory",
                      kind == RESOURCE_VECTOR ? "msi_vector_alloc" : "dma_alloc");
    return claim_as(&o, kind, first, last, flags, instance, why, true);
}

/* msi.c and dma.c: the range is theirs to hand out (the manifest has
 * nothing to say about which vector or page). */
long resource_claim_allocated(enum resource_kind kind, uint64_t first, uint64_t last,
                              const char *instance)
{
    struct dev_owner o;
    if (!dev_current_owner(&o))
        return refuse(NULL, "?", "%s allocated outside a module", resource_kind_name(kind));
    return claim_as(&o, kind, first, last, 0, instance, NULL, false);
}

long resource_claim_core(enum resource_kind kind, uint64_t first, uint64_t last, unsigned flags,
                         const char *instance, struct resource_refusal *why)
{
    struct dev_owner core = { .name = "core" };
    return claim_as(&core, kind, first, last, flags, instance, why, true);
}

/* What a claim's owner had set up goes with the claim (released, or
 * dropped with its module): a device stops signalling and mastering, a
 * vector's handler (module code) is cleared, DMA pages go back. Takes
 * only leaf locks. */
static void undo(const struct claim *c)
{
    if (c->kind == RESOURCE_PCI) {
        pci_msi_disable((uint32_t)c->first);
        pci_msix_disable((uint32_t)c->first);
        pci_config_write16((uint32_t)c->first, 4, pci_config_read16((uint32_t)c->first, 4) & ~4u);
    } else if (c->kind == RESOURCE_VECTOR) {
        msi_vector_dropped((unsigned)c->first);
    } else if (c->kind == RESOURCE_DMA) {
        dma_dropped(c->first, c->last);
    }
}

static int release_of(struct mod_identity *owner, long id)
{
    mutex_lock(&resource_lock);
    list_for_each(pos, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (c->id == id && c->owner == owner) {
            list_remove(&c->node);
            mutex_unlock(&resource_lock);
            undo(c);
            kfree(c);
            return 0;
        }
    }
    mutex_unlock(&resource_lock);
    return -1;
}

int resource_release(long id)
{
    struct dev_owner o;
    if (!dev_current_owner(&o))
        return -1;
    return release_of(o.identity, id);
}

void resource_release_core(long id) { release_of(NULL, id); }

int resource_release_at(enum resource_kind kind, uint64_t first)
{
    struct dev_owner o;
    if (!dev_current_owner(&o))
        return -1;
    mutex_lock(&resource_lock);
    struct claim *c = find_overlap_locked(kind, first, first);
    long id = c && c->first == first && c->owner == o.identity ? c->id : 0;
    mutex_unlock(&resource_lock);
    return id ? release_of(o.identity, id) : -1;
}

bool resource_owner(enum resource_kind kind, uint64_t value, char *module, size_t module_size,
                    char *instance, size_t instance_size)
{
    mutex_lock(&resource_lock);
    struct claim *c = find_overlap_locked(kind, value, value);
    if (c) {
        strlcpy(module, c->owner_name, module_size);
        strlcpy(instance, c->instance, instance_size);
    }
    mutex_unlock(&resource_lock);
    return c != NULL;
}

/* ---- the audit ---- */

unsigned resource_audit_print(void)
{
    mutex_lock(&resource_lock);
    unsigned total = outside_count;
    unsigned first = total > OUTSIDE_KEPT ? total - OUTSIDE_KEPT : 0;
    if (total)
        kprintf("claims refused outside a manifest: %u (the last %u below)\n", total,
                total - first);
    for (unsigned i = first; i < total; i++)
        kprintf("  claims: %s (at %lu ms)\n", outside[i % OUTSIDE_KEPT].text,
                outside[i % OUTSIDE_KEPT].when_ns / 1000000);
    mutex_unlock(&resource_lock);
    return total;
}

/* ---- the loader's hooks ---- */

static void drop_where(bool (*match)(const struct claim *, const void *), const void *arg)
{
    mutex_lock(&resource_lock);
    list_for_each_safe(pos, tmp, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (match(c, arg)) {
            list_remove(&c->node);
            undo(c);
            kfree(c);
        }
    }
    mutex_unlock(&resource_lock);
}

static bool staged_by(const struct claim *c, const void *m) { return c->staged_by == m; }
static bool owned_by(const struct claim *c, const void *id) { return c->owner == id; }

void resource_commit_version(struct module *m)
{
    mutex_lock(&resource_lock);
    list_for_each(pos, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (c->staged_by == m)
            c->staged_by = NULL;
    }
    mutex_unlock(&resource_lock);
}

void resource_drop_version(struct module *m) { drop_where(staged_by, m); }

void resource_drop_identity(struct mod_identity *id) { drop_where(owned_by, id); }

/* ---- the listing gate ---- */

size_t resource_snapshot(struct sys_resource_record *out, size_t start, size_t max)
{
    size_t index = 0, n = 0;
    mutex_lock(&resource_lock);
    list_for_each(pos, &claims)
    {
        struct claim *c = list_entry(pos, struct claim, node);
        if (index++ < start || n == max)
            continue;
        struct sys_resource_record *r = &out[n++];
        r->kind = c->kind;
        r->shared = c->flags & RESOURCE_SHARED ? 1 : 0;
        r->first = c->first;
        r->last = c->last;
        r->staged = c->staged_by != NULL;
        strlcpy(r->kind_name, resource_kind_name(c->kind), sizeof(r->kind_name));
        strlcpy(r->module, c->owner_name, sizeof(r->module));
        strlcpy(r->instance, c->instance, sizeof(r->instance));
    }
    mutex_unlock(&resource_lock);
    return n;
}
