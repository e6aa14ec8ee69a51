/* symtab.h — the kernel's table of functions: name → slot → implementation.
 *
 * Seed point 1: a table indexing the available functions, at a constant
 * address. Every export (of the core or of a module) gets a slot in one
 * epoch table (rcu/epoch_table.h) mapped at SYM_SLOTS_VA; the slot holds
 * the core function, or for a module's export its dispatch thunk, which
 * picks the version a call chain runs on (modload/dispatch.h): a live
 * update never rewrites a slot. Modules never call an import directly: the
 * loader points each import at a two-instruction stub `jmp *slot(%rip)`.
 *
 * Names are found through a Concurrency Kit hash set (ck_hs, single writer,
 * lock-free readers). Lookups run inside rcu_read_lock() (a removed symbol
 * is freed after a grace period); writers (register, remove) serialize on
 * sym_lock. Slots are never reused before a grace period.
 */
#pragma once
#include <wisp/compiler.h>
#include <rcu/rcu.h>

#define SYM_SLOTS_VA  0xffffffffbf000000ul /* constant: the table of slots */
#define SYM_MAX_SLOTS 16383                /* 128 KiB with the header */
#define SYM_NAME_MAX  64

enum sym_kind { SYM_FUNCTION = 1, SYM_OBJECT = 2 };

struct module;

struct symbol {
    const char *name; /* first field: the hash set's key (see symtab.c) */
    uint32_t slot;
    enum sym_kind kind;
    struct module *owner; /* NULL: the core */
    uint32_t version;     /* owner's version (major << 16 | minor) */
    uint32_t bindings;    /* importers bound to it (modules, processes) */
    uint64_t hash;
    struct rcu_head rcu; /* frees it a grace period after removal */
    char storage[SYM_NAME_MAX];
};

/* A core export: EXPORT_SYMBOL(fn) puts one in .kexports. */
struct kexport {
    const char *name;
    void *address;
    enum sym_kind kind;
};

#define EXPORT_SYMBOL_KIND_(sym, kind_) \
    static const struct kexport kexport_##sym __section(".kexports") \
        __used __aligned(8) = { #sym, (void *)&sym, kind_ }
#define EXPORT_SYMBOL(fn) EXPORT_SYMBOL_KIND_(fn, SYM_FUNCTION)
#define EXPORT_DATA(var)  EXPORT_SYMBOL_KIND_(var, SYM_OBJECT)

enum sym_status {
    SYM_OK = 0,
    SYM_E_EXISTS, /* the name is taken */
    SYM_E_NAME,   /* empty, too long, or not a C identifier */
    SYM_E_FULL,   /* no slot left */
    SYM_E_NOMEM,
    SYM_E_NOT_FOUND,
};

const char *sym_status_text(enum sym_status status);

/* Builds the slot table and registers the core's exports. BSP, boot, after
 * rcu_init(). */
void sym_init(void);

/* Registers name → address. Process context. */
enum sym_status sym_register(const char *name, void *address, enum sym_kind kind,
                             struct module *owner, uint32_t version, struct symbol **out);
/* Removes a symbol (its slot is freed after a grace period). Process context. */
void sym_remove(struct symbol *s);

/* Finds a symbol. Caller is inside rcu_read_lock() and keeps the pointer
 * only until the section ends. */
struct symbol *sym_lookup(const char *name);
/* The slot of a symbol: stable while the symbol exists. */
static inline void **sym_slot_address(uint32_t slot)
{
    return (void **)(SYM_SLOTS_VA + 8 + 8ul * slot);
}
/* The current implementation behind a slot. */
static inline void *sym_slot_load(uint32_t slot)
{
    return __atomic_load_n(sym_slot_address(slot), __ATOMIC_ACQUIRE);
}

/* Looks a name up and returns its current implementation, or NULL. Any
 * context that may not sleep is fine (takes its own read section). */
void *sym_resolve(const char *name);

/* Iterates over every symbol (for the console's syms and the audit); fn
 * must not sleep. */
void sym_for_each(void (*fn)(const struct symbol *s, void *arg), void *arg);
unsigned sym_count(void);
