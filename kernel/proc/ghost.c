/* ghost.c — the ghost area and ghost bindings (wisp/ghost.h; design in
 * MODULES.md, "Ghost bindings").
 *
 * A ghost function has an index i: entry[i] of the ghost table holds the
 * user-mode address that serves it, trampoline i jumps through entry[i],
 * and a program's GOT entry for its name holds trampoline i's address. For
 * a function that runs through the gate, entry[i] is gate stub i and
 * syscall_table[i] the kernel side; for ghost code, entry[i] is its code
 * in the ghost code page.
 *
 * Indices: the core's gate functions have their system-call numbers
 * (0..SYS_COUNT-1), the core's user-mode ghost code the next ones, in the
 * order of kernel/proc/ghost.wisp; a user-callable module export gets the
 * next free index the first time a program binds it, and keeps it while
 * the kernel runs. Its kernel side (ghost_call_export) calls the export
 * through its symbol-table slot, that is through the module's dispatch
 * thunk, so a live update of the module reaches every bound process on its
 * next call: nothing is rebound.
 *
 * ghost_lock (a mutex) serializes new indices; readers (ghost_bind's
 * lookup, the gate) read ghost_count with acquire and the entries below it,
 * which never change once published.
 */
#include <wisp/ghost.h>
#include <wisp/process.h>
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <locks/mutex.h>
#include <modload/contract/manifest.h>
#include <modload/module.h>
#include <modload/dispatch.h>
#include <modload/symtab.h>
#include <string.h>

_Static_assert(GHOST_MAX * 8 <= PAGE_SIZE, "the ghost table is one page");
_Static_assert(GHOST_MAX *GHOST_TRAMPOLINE_SIZE <= PAGE_SIZE, "trampolines: one page");
_Static_assert(GHOST_MAX *GHOST_STUB_SIZE <= PAGE_SIZE, "stubs: one page");

extern const uint8_t ghost_code_bytes[];
extern const uint64_t ghost_code_size;
extern const char ghost_manifest_text[];
extern const uint64_t ghost_manifest_size;
extern const uint64_t gate_stub_return0;
long sys_nosys(void);
const void *syscall_core_handler(unsigned number, const char **name);

/* Entry points of ghost_code.asm, as offsets in the code page. */
static const struct {
    const char *name;
    uint32_t offset;
} ghost_user_code[] = {
    { "clock_ns", 0 },
};

struct ghost {
    char name[SYM_NAME_MAX];
    enum mod_runs runs;
    uint32_t slot; /* a module export: its symbol-table slot */
};

static struct mutex ghost_lock = MUTEX_INIT(ghost_lock, "ghost");
static struct ghost ghosts[GHOST_MAX];
static unsigned ghost_count; /* published with release */
static uint64_t ghost_pa[GHOST_PAGES];
static struct mod_manifest ghost_manifest;

uint64_t ghost_page_phys(unsigned i) { return i < GHOST_PAGES ? ghost_pa[i] : 0; }

static uint8_t *ghost_page(unsigned i) { return phys_to_virt(ghost_pa[i]); }

static uint64_t trampoline_va(unsigned i) { return GHOST_TRAMPOLINES_VA + (uint64_t)i * 8; }

/* The kernel side of a module export bound as ghost function index: the
 * export's slot holds its dispatch thunk (the current version). Six
 * integer arguments at most (the dispatch thunk's limit too). */
static long ghost_call_export(long a, long b, long c, long d, long e, long f, uint64_t index)
{
    uint32_t slot = ghosts[index].slot;
    long (*fn)(long, long, long, long, long, long) = sym_slot_load(slot);
    return fn ? fn(a, b, c, d, e, f) : -SYS_ENOSYS; /* NULL: never, ghost_bound */
}

/* Publishes ghost n (ghost_lock held, or boot): its table entry, then the
 * count. Entries are written before any program is bound to them. */
static void publish(unsigned n, uint64_t entry)
{
    uint64_t *table = (uint64_t *)ghost_page(0);
    __atomic_store_n(&table[n], entry, __ATOMIC_RELEASE);
    __atomic_store_n(&ghost_count, n + 1, __ATOMIC_RELEASE);
}

static void write_code_pages(void)
{
    uint8_t *tramp = ghost_page(2), *stubs = ghost_page(3);
    for (unsigned i = 0; i < GHOST_MAX; i++) {
        uint8_t *t = tramp + i * GHOST_TRAMPOLINE_SIZE;
        int32_t disp = (int32_t)((GHOST_TABLE_VA + i * 8ul) - (trampoline_va(i) + 6));
        t[0] = 0xff; /* jmp *disp32(%rip) */
        t[1] = 0x25;
        memcpy(t + 2, &disp, 4);
        t[6] = t[7] = 0xcc;
        uint8_t *s = stubs + i * GHOST_STUB_SIZE;
        s[0] = 0xb8; /* mov $i, %eax */
        memcpy(s + 1, &i, 4);
        s[5] = 0x49; /* mov %rcx, %r10 */
        s[6] = 0x89;
        s[7] = 0xca;
        s[8] = 0x0f; /* syscall */
        s[9] = 0x05;
        s[10] = 0xc3; /* ret */
        memset(s + 11, 0xcc, GHOST_STUB_SIZE - 11);
    }
    memcpy(ghost_page(4), ghost_code_bytes, ghost_code_size);
    struct ghost_data *data = (struct ghost_data *)ghost_page(1);
    data->boot_tsc = boot_tsc;
    data->ns_mult = tsc_to_ns(1ull << 32); /* = the clock's multiplier */
}

static bool is_gate_number(unsigned number)
{
    const char *name;
    return syscall_core_handler(number, &name) != NULL;
}

/* The core's ghost functions, from kernel/proc/ghost.wisp, checked against
 * the code: gate ones in system-call order, then user-mode code. */
static void register_core(void)
{
    struct mod_manifest_error err;
    if (mod_manifest_parse(&ghost_manifest, ghost_manifest_text, ghost_manifest_size,
                           "kernel/proc/ghost.wisp", &err) != MOD_MANIFEST_OK)
        panic("ghost: %s", err.message);
    unsigned n = 0, gates = 0, numbers = 0;
    for (unsigned k = 0; k < SYS_COUNT; k++)
        numbers += is_gate_number(k);
    for (unsigned i = 0; i < ghost_manifest.export_count; i++) {
        const struct mod_contract *c = &ghost_manifest.exports[i];
        const char *name = NULL;
        uint64_t entry = 0;
        /* a number with no gate function (reserved): a nameless index
         * whose stub reaches sys_nosys */
        for (; c->runs == MOD_RUNS_GATE && n < SYS_COUNT && !is_gate_number(n); n++)
            publish(n, GHOST_STUBS_VA + n * GHOST_STUB_SIZE);
        if (c->runs == MOD_RUNS_GATE) {
            const void *handler = syscall_core_handler(n, &name);
            if (!handler || strcmp(name, c->symbol) != 0)
                panic("ghost: ghost.wisp's gate function %u is %s, the gate's is %s", n, c->symbol,
                      name ? name : "none");
            syscall_table_set(n, handler);
            entry = GHOST_STUBS_VA + n * GHOST_STUB_SIZE;
            gates++;
        } else {
            unsigned k = 0;
            while (k < ARRAY_SIZE(ghost_user_code) && strcmp(ghost_user_code[k].name, c->symbol))
                k++;
            if (k == ARRAY_SIZE(ghost_user_code) || ghost_user_code[k].offset >= ghost_code_size)
                panic("ghost: ghost.wisp's %s has no ghost code", c->symbol);
            entry = GHOST_CODE_VA + ghost_user_code[k].offset;
        }
        if (!c->user_callable)
            panic("ghost: ghost.wisp's %s is not user-callable", c->symbol);
        strlcpy(ghosts[n].name, c->symbol, sizeof(ghosts[n].name));
        ghosts[n].runs = c->runs;
        publish(n++, entry);
    }
    if (gates != numbers)
        panic("ghost: ghost.wisp declares %u gate functions, the gate has %u", gates, numbers);
}

void ghost_init(void)
{
    if (gate_stub_return0 != GHOST_STUB_RETURN(0) || ghost_code_size > PAGE_SIZE)
        panic("ghost: gate.asm, ghost_code.asm and wisp/ghost.h disagree on the layout");
    for (unsigned i = 0; i < GHOST_PAGES; i++) {
        ghost_pa[i] = pmm_alloc_page();
        if (!ghost_pa[i])
            panic("ghost: no memory for the ghost pages");
        memset(ghost_page(i), 0, PAGE_SIZE);
    }
    for (unsigned i = 0; i < GHOST_MAX; i++)
        syscall_table_set(i, sys_nosys);
    write_code_pages();
    register_core();
    syscall_table_seal();
    pr_info("ghost: %u core ghost functions, %d pages at %lx\n", ghost_count, GHOST_PAGES,
            GHOST_VA);
}

int ghost_map(struct address_space *as)
{
    static const unsigned flags[GHOST_PAGES] = { 0, 0, VM_EXEC, VM_EXEC, VM_EXEC };
    for (unsigned i = 0; i < GHOST_PAGES; i++)
        if (vmm_map_in(as, GHOST_VA + i * PAGE_SIZE, ghost_pa[i], flags[i] | VM_USER) != 0)
            return -SYS_ENOMEM;
    return 0;
}

int ghost_index(const char *name)
{
    unsigned count = __atomic_load_n(&ghost_count, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < count; i++)
        if (strcmp(ghosts[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Why a program may not bind contract c as a ghost function, or NULL. */
static const char *contract_refusal(const struct mod_contract *c)
{
    if (!c->user_callable)
        return "not user-callable";
    if (c->runs != MOD_RUNS_GATE)
        return "a module's export cannot run in user mode";
    return NULL;
}

/* Is name a user-callable export of a loaded module (NULL), or why not?
 * Its slot then; bind marks its module ghost-bound. */
static const char *module_export(const char *name, uint32_t *slot, bool bind)
{
    const char *why = "no ghost function of that name";
    rcu_read_lock();
    struct symbol *s = sym_lookup(name);
    if (s && !s->owner) {
        why = "a core function, not user-callable";
    } else if (s) {
        int e = s->owner->manifest ? mod_manifest_find_export(s->owner->manifest, name) : -1;
        why = e < 0 ? "not user-callable" : contract_refusal(&s->owner->manifest->exports[e]);
        if (!why && bind) /* from now on its slot must stay this export's */
            __atomic_store_n(&s->owner->identity->ghost_bound, true, __ATOMIC_RELEASE);
        *slot = s->slot;
    }
    rcu_read_unlock();
    return why;
}

/* Why name may not be bound, decided before anything is loaded or
 * counted: a loaded export by its module's manifest, an export of a
 * module of the image not loaded yet by that module's signed manifest. */
static const char *bind_refusal(const char *name)
{
    rcu_read_lock();
    bool loaded = sym_lookup(name) != NULL;
    rcu_read_unlock();
    uint32_t slot;
    if (loaded)
        return module_export(name, &slot, false);
    struct mod_contract c;
    struct mod_error err;
    if (module_image_export_contract(name, &c, &err) != MOD_OK)
        return "no ghost function of that name";
    return contract_refusal(&c);
}

int ghost_bind(const char *name, uint64_t *address, const char **why)
{
    int i = ghost_index(name);
    if (i >= 0) {
        *address = trampoline_va((unsigned)i);
        return 0;
    }
    uint32_t slot = 0;
    struct mod_error err;
    *why = bind_refusal(name); /* a refusal loads and counts nothing */
    if (*why)
        return -1;
    /* Loads the image module that exports it, on demand. */
    if (module_bind(name, &slot, &err) != MOD_OK) {
        *why = "no ghost function of that name";
        return -1;
    }
    *why = module_export(name, &slot, true); /* again: a swap may have come between */
    if (*why)
        return -1;
    mutex_lock(&ghost_lock);
    i = ghost_index(name); /* another exec may have been first */
    if (i < 0 && ghost_count < GHOST_MAX) {
        unsigned n = ghost_count;
        strlcpy(ghosts[n].name, name, sizeof(ghosts[n].name));
        ghosts[n].runs = MOD_RUNS_GATE;
        ghosts[n].slot = slot;
        syscall_table_set(n, (const void *)ghost_call_export);
        publish(n, GHOST_STUBS_VA + n * GHOST_STUB_SIZE);
        i = (int)n;
        pr_info("ghost: %s is ghost function %u\n", name, n);
    }
    mutex_unlock(&ghost_lock);
    if (i < 0) {
        *why = "no ghost index left";
        return -1;
    }
    *address = trampoline_va((unsigned)i);
    return 0;
}
