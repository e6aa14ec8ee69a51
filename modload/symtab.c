/* symtab.c — the symbol table: a ck_hs name index over an epoch table of
 * slots at SYM_SLOTS_VA (see symtab.h).
 *
 * Locking: sym_lock serializes writers (register, remove, slot
 * allocation); the hash set is ck_hs in SPMC mode, so readers need no lock,
 * only a read-side section. A removed symbol and a resized hash map are
 * freed through rcu_call(); a freed slot returns to the free bitmap only
 * after a grace period, so a reader that looked up the old symbol never
 * sees its slot reused under it.
 */
#include "modload/symtab.h"
#include <wisp/hash.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <locks/spinlock.h>
#include <rcu/rcu.h>
#include <rcu/epoch_table.h>
#include <ck_hs.h>
#include <string.h>

#define SLOT_TABLE_BYTES (8ul + 8ul * SYM_MAX_SLOTS)

static struct spinlock sym_lock = SPINLOCK_INIT("symtab");
static ck_hs_t names;                                 /* writers: sym_lock */
static struct epoch_table *slots;                     /* at SYM_SLOTS_VA */
static uint64_t slot_used[(SYM_MAX_SLOTS + 63) / 64]; /* sym_lock */
static unsigned symbol_count;                         /* sym_lock */

_Static_assert(SLOT_TABLE_BYTES <= 32 * PAGE_SIZE, "slot table must fit its mapping");

/* ---- the hash set's callbacks ---------------------------------------------- */

static unsigned long hs_hash(const void *object, unsigned long seed)
{
    return (unsigned long)hash_string(((const struct symbol *)object)->name, seed);
}

/* Both arguments start with a `const char *name` (struct symbol or a lookup
 * key), which is all the comparison reads. */
static bool hs_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b) == 0;
}

/* ck_hs frees an old map with defer=true when readers may still scan it. */
struct deferred_block {
    struct rcu_head head;
    size_t size;
    uint64_t pad; /* keeps the user part 16-byte aligned */
};

static void *hs_malloc(size_t size)
{
    struct deferred_block *b = kmalloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->size = size;
    return b + 1;
}

static void free_deferred(struct rcu_head *head)
{
    kfree(container_of(head, struct deferred_block, head));
}

static void hs_free(void *p, size_t size __unused, bool defer)
{
    if (!p)
        return;
    struct deferred_block *b = (struct deferred_block *)p - 1;
    if (defer)
        rcu_call(&b->head, free_deferred);
    else
        kfree(b);
}

static struct ck_malloc hs_allocator = { .malloc = hs_malloc, .free = hs_free };

/* ---- slots ------------------------------------------------------------------- */

static int slot_alloc(void)
{
    for (unsigned w = 0; w < ARRAY_SIZE(slot_used); w++) {
        if (slot_used[w] == ~0ull)
            continue;
        unsigned bit = (unsigned)__builtin_ctzll(~slot_used[w]);
        unsigned slot = w * 64 + bit;
        if (slot >= SYM_MAX_SLOTS)
            return -1;
        slot_used[w] |= 1ull << bit;
        return (int)slot;
    }
    return -1;
}

static void slot_release(uint32_t slot) { slot_used[slot / 64] &= ~(1ull << (slot % 64)); }

/* ---- public ------------------------------------------------------------------ */

const char *sym_status_text(enum sym_status status)
{
    switch (status) {
    case SYM_OK:
        return "ok";
    case SYM_E_EXISTS:
        return "a symbol of that name exists";
    case SYM_E_NAME:
        return "not a valid symbol name";
    case SYM_E_FULL:
        return "the symbol table is full";
    case SYM_E_NOMEM:
        return "out of memory";
    case SYM_E_NOT_FOUND:
        return "no such symbol";
    }
    return "?";
}

static bool valid_name(const char *name)
{
    size_t n = strnlen(name, SYM_NAME_MAX);
    if (n == 0 || n == SYM_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

enum sym_status sym_register(const char *name, void *address, enum sym_kind kind,
                             struct module *owner, uint32_t version, struct symbol **out)
{
    if (!valid_name(name))
        return SYM_E_NAME;
    struct symbol *s = kzalloc(sizeof(*s));
    if (!s)
        return SYM_E_NOMEM;
    strlcpy(s->storage, name, sizeof(s->storage));
    s->name = s->storage;
    s->kind = kind;
    s->owner = owner;
    s->version = version;

    enum sym_status status = SYM_OK;
    uint64_t flags = spin_lock_irqsave(&sym_lock);
    s->hash = CK_HS_HASH(&names, hs_hash, s);
    int slot = slot_alloc();
    if (slot < 0) {
        status = SYM_E_FULL;
        goto out_unlock;
    }
    s->slot = (uint32_t)slot;
    /* Slot first, then the name: a reader that finds the name finds the
     * implementation too (the hash set's insert is a release). */
    epoch_slot_publish(slots, s->slot, address);
    if (!ck_hs_put(&names, s->hash, s)) {
        /* Either the name exists or the set could not grow. */
        status = ck_hs_get(&names, s->hash, s) ? SYM_E_EXISTS : SYM_E_NOMEM;
        epoch_slot_publish(slots, s->slot, NULL);
        slot_release(s->slot);
        goto out_unlock;
    }
    symbol_count++;
out_unlock:
    spin_unlock_irqrestore(&sym_lock, flags);
    if (status != SYM_OK) {
        kfree(s);
        return status;
    }
    if (out)
        *out = s;
    return SYM_OK;
}

/* A grace period after removal: no reader can hold the symbol or be
 * about to load its slot any more. */
static void free_symbol(struct rcu_head *head)
{
    struct symbol *s = container_of(head, struct symbol, rcu);
    uint64_t flags = spin_lock_irqsave(&sym_lock);
    slot_release(s->slot);
    spin_unlock_irqrestore(&sym_lock, flags);
    kfree(s);
}

void sym_remove(struct symbol *s)
{
    uint64_t flags = spin_lock_irqsave(&sym_lock);
    ck_hs_remove(&names, s->hash, s);
    epoch_slot_publish(slots, s->slot, NULL);
    symbol_count--;
    spin_unlock_irqrestore(&sym_lock, flags);
    rcu_call(&s->rcu, free_symbol);
}

struct symbol *sym_lookup(const char *name)
{
    const char *key = name; /* a key is anything starting with the name */
    return ck_hs_get(&names, CK_HS_HASH(&names, hs_hash, &key), &key);
}

void *sym_resolve(const char *name)
{
    rcu_read_lock();
    struct symbol *s = sym_lookup(name);
    void *impl = s ? sym_slot_load(s->slot) : NULL;
    rcu_read_unlock();
    return impl;
}

void sym_for_each(void (*fn)(const struct symbol *s, void *arg), void *arg)
{
    ck_hs_iterator_t it = CK_HS_ITERATOR_INITIALIZER;
    void *entry;
    rcu_read_lock();
    while (ck_hs_next_spmc(&names, &it, &entry))
        fn(entry, arg);
    rcu_read_unlock();
}

unsigned sym_count(void) { return READ_ONCE(symbol_count); }

extern const struct kexport __kexports_start[], __kexports_end[];

void sym_init(void)
{
    for (uint64_t off = 0; off < SLOT_TABLE_BYTES; off += PAGE_SIZE) {
        uint64_t page = pmm_alloc_page();
        if (!page || vmm_map(SYM_SLOTS_VA + off, page, VM_WRITE | VM_GLOBAL) != 0)
            panic("symtab: cannot map the slot table at %lx", SYM_SLOTS_VA + off);
        memset((void *)(SYM_SLOTS_VA + off), 0, PAGE_SIZE);
    }
    slots = (struct epoch_table *)SYM_SLOTS_VA;
    slots->slot_count = SYM_MAX_SLOTS;
    if (!ck_hs_init(&names, CK_HS_MODE_SPMC | CK_HS_MODE_OBJECT, hs_hash, hs_compare, &hs_allocator,
                    1024, 0x5eed))
        panic("symtab: cannot create the name index");
    unsigned n = 0;
    for (const struct kexport *e = __kexports_start; e < __kexports_end; e++) {
        enum sym_status st = sym_register(e->name, e->address, e->kind, NULL, 0, NULL);
        if (st != SYM_OK)
            panic("symtab: core export %s: %s", e->name, sym_status_text(st));
        n++;
    }
    pr_info("symtab: %u core exports, slots at %lx\n", n, SYM_SLOTS_VA);
}
