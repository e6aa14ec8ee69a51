/* module.c — the kernel's module loader (see module.h).
 *
 * Locking: module_mutex serializes every load and unload and protects the
 * module list, the module-area allocator and each module's deps/users.
 * Module memory is laid out contiguously in the module area as
 * [text | import stubs][rodata][data], each part page aligned, mapped
 * read-write while it is filled and relocated, then text+stubs read+execute,
 * rodata read-only and data read-write, never writable and executable.
 */
#include "modload/module.h"
#include "kernel/dev/dev.h"
#include "modload/symtab.h"
#include "modload/elf.h"
#include "modload/config.h"
#include "modload/module_manifest.h"
#include "modload/module_guard.h"
#include "modload/dispatch.h"
#include "modload/update.h"
#include <wisp/boot.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/process.h>
#include <wisp/time.h>
#include <locks/mutex.h>
#include <string.h>

#define AREA_PAGES ((MODULE_AREA_END - MODULE_AREA_START) / PAGE_SIZE)
#define STUB_SIZE  8 /* jmp *disp32(%rip) is 6 bytes, padded with int3 */

#define MODULE_UNLOAD_DRAIN_MS 2000 /* longest unload waits for chains inside */

static struct mutex module_mutex = MUTEX_INIT(module_mutex, "modules");
static struct list_node modules = LIST_INIT(modules); /* module_mutex */
static uint64_t area_used[AREA_PAGES / 64];           /* module_mutex */

/* ---- the module area ----------------------------------------------------- */

/* First fit over a page bitmap; returns the address or 0. */
static uint64_t area_alloc(size_t pages)
{
    size_t run = 0;
    for (size_t p = 0; p < AREA_PAGES; p++) {
        bool used = area_used[p / 64] & (1ull << (p % 64));
        run = used ? 0 : run + 1;
        if (run == pages) {
            size_t first = p + 1 - pages;
            for (size_t q = first; q <= p; q++)
                area_used[q / 64] |= 1ull << (q % 64);
            return MODULE_AREA_START + first * PAGE_SIZE;
        }
    }
    return 0;
}

/* Unmaps and frees the pages of [va, va + pages) and returns the range. */
static void area_free(uint64_t va, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t page_va = va + i * PAGE_SIZE;
        uint64_t pa = vmm_translate(page_va);
        if (pa) {
            vmm_unmap(page_va);
            pmm_free_page(pa & ~(PAGE_SIZE - 1));
        }
        size_t p = (page_va - MODULE_AREA_START) / PAGE_SIZE;
        area_used[p / 64] &= ~(1ull << (p % 64));
    }
}

size_t module_area_pages_used(void)
{
    size_t used = 0;
    mutex_lock(&module_mutex);
    for (size_t p = 0; p < AREA_PAGES; p++)
        used += (area_used[p / 64] >> (p % 64)) & 1;
    mutex_unlock(&module_mutex);
    return used;
}

static bool area_map(uint64_t va, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t pa = pmm_alloc_page();
        if (!pa || vmm_map(va + i * PAGE_SIZE, pa, VM_WRITE | VM_GLOBAL) != 0) {
            if (pa)
                pmm_free_page(pa);
            return false;
        }
        memset((void *)(va + i * PAGE_SIZE), 0, PAGE_SIZE);
    }
    return true;
}

static void area_protect(uint64_t va, uint64_t size, unsigned flags)
{
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        vmm_protect(va + off, flags | VM_GLOBAL);
}

/* ---- the boot image ------------------------------------------------------- */

static struct mod_image boot_image;
static bool have_image;
static struct module_image_entry image_entries[64];
static unsigned image_entry_count;

unsigned module_image_entries(const struct module_image_entry **out)
{
    *out = image_entries;
    return image_entry_count;
}

static const struct module_image_entry *image_entry(const char *name)
{
    for (unsigned i = 0; i < image_entry_count; i++)
        if (strcmp(image_entries[i].name, name) == 0)
            return &image_entries[i];
    return NULL;
}

/* The verified module section that exports name, for on-demand loading. */
static const char *image_module_exporting(const char *name)
{
    for (unsigned i = 0; i < image_entry_count; i++) {
        const struct module_image_entry *e = &image_entries[i];
        struct mod_image_section s;
        struct mod_elf elf;
        if (!e->verified || e->type != MOD_SECTION_MODULE ||
            mod_image_find(&boot_image, e->name, &s) != MOD_OK ||
            mod_elf_parse(&elf, s.content, s.size, NULL) != MOD_OK)
            continue;
        uint32_t idx = mod_elf_find_section(&elf, ".wisp.exports");
        if (!idx)
            continue;
        struct elf64_section sh;
        mod_elf_section(&elf, idx, &sh);
        const char *p = (const char *)mod_elf_section_data(&elf, idx);
        for (uint64_t off = 0; p && off < sh.size;) {
            size_t n = strnlen(p + off, sh.size - off);
            if (n == sh.size - off)
                break; /* unterminated: ignore the rest */
            if (strcmp(p + off, name) == 0)
                return e->name;
            off += n + 1;
        }
    }
    return NULL;
}

/* ---- linking -------------------------------------------------------------- */

struct link_context {
    struct module *module;
    uint8_t *stubs;
    uint32_t stubs_used, stub_count;
    enum mod_status status;   /* of an on-demand load, if one failed */
    struct mod_error dep_err; /* ... and its reason */
};

static enum mod_status load_locked(const char *name, struct module **out, struct mod_error *err);

static void add_dependency(struct module *m, struct module *owner)
{
    if (!owner || owner == m)
        return;
    for (uint32_t i = 0; i < m->dep_count; i++)
        if (m->deps[i] == owner)
            return;
    if (m->dep_count < MODULE_MAX_DEPS)
        m->deps[m->dep_count++] = owner;
}

/* Writes `jmp *slot(%rip)` for one import and returns the stub's address. */
static uint64_t make_stub(struct link_context *c, uint32_t slot)
{
    uint8_t *stub = c->stubs + (size_t)c->stubs_used * STUB_SIZE;
    uint64_t stub_va = c->module->stubs_va + (uint64_t)c->stubs_used * STUB_SIZE;
    int32_t disp = (int32_t)((uint64_t)sym_slot_address(slot) - (stub_va + 6));
    stub[0] = 0xff;
    stub[1] = 0x25;
    memcpy(stub + 2, &disp, 4);
    stub[6] = stub[7] = 0xcc;
    c->stubs_used++;
    return stub_va;
}

/* The relocator's resolver: an import becomes a stub through its slot
 * (functions) or its address (the core's data exports). A name nobody
 * exports yet may be exported by a module of the image: load it first. */
static int resolve_import(void *context, const char *name, uint64_t *address)
{
    struct link_context *c = context;
    for (int attempt = 0; attempt < 2; attempt++) {
        rcu_read_lock();
        struct symbol *s = sym_lookup(name);
        enum sym_kind kind = s ? s->kind : 0;
        uint32_t slot = s ? s->slot : 0;
        struct module *owner = s ? s->owner : NULL;
        if (s && kind == SYM_OBJECT)
            *address = (uint64_t)sym_slot_load(slot);
        rcu_read_unlock();
        if (s) {
            if (kind == SYM_FUNCTION) {
                if (c->stubs_used == c->stub_count)
                    return -1;
                *address = make_stub(c, slot);
            }
            add_dependency(c->module, owner);
            return 0;
        }
        const char *provider = attempt == 0 ? image_module_exporting(name) : NULL;
        if (!provider)
            break;
        struct mod_error dep_err;
        struct module *dep;
        if (load_locked(provider, &dep, &dep_err) != MOD_OK) {
            c->status = mod_fail(&c->dep_err, dep_err.code, "import '%s' needs module %s: %s", name,
                                 provider, dep_err.message);
            return -1;
        }
    }
    return -1;
}

/* ---- loading -------------------------------------------------------------- */

static uint32_t count_imports(const struct mod_elf *elf)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < elf->symbol_count; i++)
        n += mod_elf_symbol_is_import(elf, i) != 0;
    return n;
}

/* Lays the module out in the module area and maps it read-write; the
 * export guards' thunks (if any) follow the import stubs. */
static enum mod_status place_module(struct module *m, const struct mod_layout *layout,
                                    uint32_t imports, uint32_t guards, struct mod_error *err)
{
    uint64_t text = ALIGN_UP(layout->size[MOD_REGION_TEXT], 16);
    uint64_t stubs = ALIGN_UP((uint64_t)imports * STUB_SIZE, 16);
    uint64_t sizes[MOD_REGION_COUNT] = { 0 };
    sizes[MOD_REGION_TEXT] =
        ALIGN_UP(text + stubs + (uint64_t)guards * MODULE_GUARD_THUNK_SIZE, PAGE_SIZE);
    sizes[MOD_REGION_RODATA] = ALIGN_UP(layout->size[MOD_REGION_RODATA], PAGE_SIZE);
    sizes[MOD_REGION_DATA] = ALIGN_UP(layout->size[MOD_REGION_DATA], PAGE_SIZE);
    uint64_t total = sizes[MOD_REGION_TEXT] + sizes[MOD_REGION_RODATA] + sizes[MOD_REGION_DATA];
    if (total == 0)
        total = PAGE_SIZE;
    m->base = area_alloc(total / PAGE_SIZE);
    if (!m->base)
        return mod_fail(err, MOD_E_LAYOUT, "module %s: no room for %lu KiB in the module area",
                        m->name, total / 1024);
    m->size = total;
    if (!area_map(m->base, total / PAGE_SIZE)) {
        area_free(m->base, total / PAGE_SIZE);
        m->base = 0;
        return mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory for %lu KiB", m->name,
                        total / 1024);
    }
    uint64_t va = m->base;
    for (int r = MOD_REGION_TEXT; r < MOD_REGION_COUNT; r++) {
        m->region_va[r] = va;
        m->region_size[r] = sizes[r];
        va += sizes[r];
    }
    m->stubs_va = m->base + text;
    m->stub_count = imports;
    m->guards_va = m->stubs_va + stubs;
    return MOD_OK;
}

/* ---- identities and their dispatch thunks --------------------------------- */

static void identity_free(struct mod_identity *id)
{
    if (!id)
        return;
    if (id->thunks_va)
        area_free(id->thunks_va, id->thunks_pages);
    for (uint32_t i = 0; id->export_names && i < id->export_count; i++)
        kfree((void *)id->export_names[i]);
    kfree(id->export_names);
    kfree(id);
}

/* The identity of a module's first version: its export names (copied: the
 * ELF may be a transient push buffer) and one dispatch thunk per export. */
static enum mod_status identity_create(struct module *m, const char *names, uint64_t size,
                                       uint32_t count, struct mod_error *err)
{
    struct mod_identity *id = kzalloc(sizeof(*id));
    if (!id || !(id->export_names = kzalloc(sizeof(char *) * (count ? count : 1))))
        goto nomem;
    m->identity = id;
    m->owns_identity = true;
    strlcpy(id->name, m->name, sizeof(id->name));
    wait_queue_init(&id->held_wq);
    for (uint64_t off = 0; off < size && id->export_count < count;) {
        size_t n = strnlen(names + off, size - off);
        char *copy = kmalloc(n + 1);
        if (!copy)
            goto nomem;
        memcpy(copy, names + off, n);
        copy[n] = 0;
        id->export_names[id->export_count++] = copy;
        off += n + 1;
    }
    id->thunks_pages =
        ALIGN_UP((uint64_t)(count ? count : 1) * MOD_DISPATCH_THUNK_SIZE, PAGE_SIZE) / PAGE_SIZE;
    id->thunks_va = area_alloc(id->thunks_pages);
    if (!id->thunks_va || !area_map(id->thunks_va, id->thunks_pages))
        goto nomem;
    mod_dispatch_write_thunks(id, (uint8_t *)id->thunks_va, id->thunks_va);
    area_protect(id->thunks_va, id->thunks_pages * PAGE_SIZE, VM_EXEC);
    m->version_slot = 0;
    id->versions[0] = m;
    __atomic_store_n(&id->generation, 0, __ATOMIC_RELEASE);
    return MOD_OK;
nomem:
    return mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory for its dispatch thunks", m->name);
}

/* Fills m->impl from the names listed in .wisp.exports. A first version
 * creates the identity and registers each name with its dispatch thunk; a
 * new version of a live module (identity already set) publishes nothing
 * and must implement exactly the identity's exports. */
static enum mod_status register_exports(struct module *m, const struct mod_elf *elf,
                                        const struct mod_load_target *target, struct mod_error *err)
{
    uint32_t idx = mod_elf_find_section(elf, ".wisp.exports");
    struct elf64_section sh = { 0 };
    const char *names = NULL;
    if (idx) {
        mod_elf_section(elf, idx, &sh);
        names = (const char *)mod_elf_section_data(elf, idx);
    }
    uint32_t count = 0;
    for (uint64_t off = 0; names && off < sh.size;) {
        size_t n = strnlen(names + off, sh.size - off);
        if (n == sh.size - off)
            return mod_fail(err, MOD_E_ELF_STRING, "module %s: .wisp.exports is unterminated",
                            m->name);
        off += n + 1;
        count++;
    }
    bool first = !m->identity;
    enum mod_status st;
    if (first && (st = identity_create(m, names, names ? sh.size : 0, count, err)))
        return st;
    struct mod_identity *id = m->identity;
    if (!first && count != id->export_count)
        return mod_fail(
            err, MOD_E_CONTRACT,
            "module %s: %u exports, the running version has %u (an update keeps the same exports)",
            m->name, count, id->export_count);
    m->impl = kzalloc(sizeof(void *) * (id->export_count ? id->export_count : 1));
    if (first)
        m->exports = kzalloc(sizeof(*m->exports) * (count ? count : 1));
    if (!m->impl || (first && !m->exports))
        return mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory for exports", m->name);
    for (uint64_t off = 0; names && off < sh.size;) {
        const char *name = names + off;
        off += strnlen(name, sh.size - off) + 1;
        uint32_t sym_index = mod_elf_find_export(elf, name);
        struct elf64_symbol es;
        if (sym_index)
            mod_elf_symbol(elf, sym_index, &es);
        if (!sym_index || ELF_SYMBOL_TYPE(es.info) != STT_FUNC)
            return mod_fail(err, MOD_E_UNRESOLVED,
                            "module %s: export '%s' is not a function the module defines", m->name,
                            name);
        int index = mod_dispatch_export_index(id, name);
        if (index < 0)
            return mod_fail(err, MOD_E_CONTRACT,
                            "module %s: export '%s' is not one of the running version's", m->name,
                            name);
        int guard = m->guards ? mod_manifest_find_export(m->manifest, name) : -1;
        m->impl[index] = guard >= 0
                             ? (void *)(m->guards_va + (uint64_t)guard * MODULE_GUARD_THUNK_SIZE)
                             : (void *)mod_symbol_address(target, sym_index);
        if (!first)
            continue;
        struct symbol *s;
        enum sym_status sst = sym_register(name, mod_dispatch_thunk(id, (uint32_t)index),
                                           SYM_FUNCTION, m, m->version, &s);
        if (sst != SYM_OK)
            return mod_fail(err, MOD_E_UNRESOLVED, "module %s: export '%s': %s", m->name, name,
                            sym_status_text(sst));
        m->exports[m->export_count++] = s;
    }
    return MOD_OK;
}

static void remove_exports(struct module *m)
{
    for (uint32_t i = 0; i < m->export_count; i++)
        sym_remove(m->exports[i]);
    m->export_count = 0;
    kfree(m->exports);
    m->exports = NULL;
}

/* Frees what a failed or unloaded module holds; its symbols are gone. */
static void release_module(struct module *m)
{
    if (m->base || m->owns_identity)
        rcu_synchronize(); /* no lookup may still hand out its code */
    if (m->base)
        area_free(m->base, m->size / PAGE_SIZE);
    if (m->owns_identity)
        identity_free(m->identity);
    kfree(m->impl);
    kfree(m->guards);
    kfree(m->manifest);
    kfree(m);
}

/* ---- contracts ------------------------------------------------------------ */

/* Debug builds: one guard per export, its thunk written after the import
 * stubs while the text is still writable; register_exports() then
 * registers the thunks (module_guard.h). */
static enum mod_status install_guards(struct module *m, const struct mod_elf *elf,
                                      const struct mod_load_target *target, struct mod_error *err)
{
    uint32_t count = m->manifest->export_count;
    if (!module_guards_enabled() || count == 0)
        return MOD_OK;
    m->guards = kzalloc(sizeof(*m->guards) * count);
    if (!m->guards)
        return mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory for export guards", m->name);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t index = mod_elf_find_export(elf, m->manifest->exports[i].symbol);
        uint64_t thunk = m->guards_va + (uint64_t)i * MODULE_GUARD_THUNK_SIZE;
        module_guard_init(&m->guards[i], m->manifest, i,
                          index ? (void *)mod_symbol_address(target, index) : NULL);
        module_guard_write_thunk((uint8_t *)thunk, thunk, &m->guards[i]);
    }
    return MOD_OK;
}

/* Checks m's resolved imports against their providers' contracts and the
 * lock order of every live module plus m (module_manifest.c). */
static enum mod_status check_contracts(struct module *m, const struct mod_elf *elf,
                                       struct mod_error *err)
{
    size_t count = 0;
    list_for_each(pos, &modules) count++;
    const struct mod_manifest **loaded = kzalloc(sizeof(*loaded) * (count ? count : 1));
    if (!loaded)
        return mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory", m->name);
    count = 0;
    list_for_each(pos, &modules)
    {
        struct module *other = list_entry(pos, struct module, node);
        if (other != m && other->state == MODULE_LIVE && other->manifest)
            loaded[count++] = other->manifest;
    }
    enum mod_status st = module_manifest_check_imports(m, elf, loaded, count, err);
    kfree(loaded);
    return st;
}

static enum mod_status link_module(struct module *m, const struct mod_elf *elf,
                                   struct mod_error *err)
{
    enum mod_status st = module_manifest_read(m, elf, err);
    if (st != MOD_OK)
        return st;
    struct mod_layout layout;
    struct mod_placement *placements = kzalloc(sizeof(*placements) * elf->section_count);
    uint64_t *values = kzalloc(sizeof(*values) * (elf->symbol_count ? elf->symbol_count : 1));
    if (!placements || !values) {
        st = mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory", m->name);
        goto out;
    }
    st = mod_layout_compute(elf, placements, elf->section_count, &layout, err);
    if (st != MOD_OK)
        goto out;
    uint32_t imports = count_imports(elf);
    uint32_t guards = module_guards_enabled() ? m->manifest->export_count : 0;
    st = place_module(m, &layout, imports, guards, err);
    if (st != MOD_OK)
        goto out;
    struct mod_load_target target = { .symbol_values = values };
    for (int r = MOD_REGION_TEXT; r < MOD_REGION_COUNT; r++)
        target.region[r] =
            (struct mod_region_target){ (uint8_t *)m->region_va[r], m->region_va[r] };
    struct link_context ctx = {
        .module = m, .stubs = (uint8_t *)m->stubs_va, .stub_count = imports, .status = MOD_OK
    };
    target.resolve = resolve_import;
    target.resolve_context = &ctx;
    mod_load_copy(elf, &layout, &target);
    st = mod_reloc_apply(elf, &layout, &target, err);
    if (st != MOD_OK) {
        if (ctx.status != MOD_OK) { /* the on-demand load's own reason */
            st = ctx.status;
            if (err)
                *err = ctx.dep_err;
        }
        goto out;
    }
    st = check_contracts(m, elf, err); /* before any of its code runs */
    if (st == MOD_OK)
        st = install_guards(m, elf, &target, err);
    if (st != MOD_OK)
        goto out;
    area_protect(m->region_va[MOD_REGION_TEXT], m->region_size[MOD_REGION_TEXT], VM_EXEC);
    area_protect(m->region_va[MOD_REGION_RODATA], m->region_size[MOD_REGION_RODATA], 0);
    st = register_exports(m, elf, &target, err);
    if (st != MOD_OK)
        goto out;
    uint32_t init = mod_elf_find_export(elf, "wisp_module_init");
    uint32_t exit = mod_elf_find_export(elf, "wisp_module_exit");
    m->exit = exit ? (void (*)(void))mod_symbol_address(&target, exit) : NULL;
    uint32_t get = mod_elf_find_export(elf, "wisp_state_get");
    uint32_t adopt = mod_elf_find_export(elf, "wisp_state_adopt");
    m->state_get = get ? (void *(*)(void))mod_symbol_address(&target, get) : NULL;
    m->state_adopt = adopt ? (int (*)(void *, uint16_t))mod_symbol_address(&target, adopt) : NULL;
    st = dev_module_begin(m, err); /* its interfaces; its init's claims are its own */
    if (st == MOD_OK && init) {
        int rc = ((int (*)(void))mod_symbol_address(&target, init))();
        if (rc != 0)
            st = mod_fail(err, MOD_E_INIT, "module %s: init failed (%d)", m->name, rc);
    }
    dev_module_end(m, st == MOD_OK);
out:
    kfree(placements);
    kfree(values);
    return st;
}

/* Parses the object and allocates a LOADING module for it (shared by a
 * first load and a new version's load). */
static enum mod_status new_module(const char *name, uint32_t version, const void *data, size_t size,
                                  struct mod_elf *elf, struct module **out, struct mod_error *err)
{
    enum mod_status st = mod_elf_parse(elf, data, size, err);
    if (st != MOD_OK)
        return st;
    struct module *m = kzalloc(sizeof(*m));
    if (!m)
        return mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory", name);
    strlcpy(m->name, name, sizeof(m->name));
    m->version = version;
    m->state = MODULE_LOADING;
    *out = m;
    return MOD_OK;
}

static enum mod_status load_object_locked(const char *name, uint32_t version, const void *data,
                                          size_t size, struct module **out, struct mod_error *err)
{
    uint64_t start = clock_ns();
    struct mod_elf elf;
    struct module *m = NULL;
    enum mod_status st = new_module(name, version, data, size, &elf, &m, err);
    if (st != MOD_OK)
        return st;
    list_push_back(&modules, &m->node); /* visible as LOADING: cycle check */
    st = link_module(m, &elf, err);
    if (st != MOD_OK) {
        list_remove(&m->node);
        remove_exports(m);
        release_module(m);
        return st;
    }
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users++;
    m->state = MODULE_LIVE;
    m->load_ns = clock_ns() - start;
    update_history_add(m->name, m->version, "load");
    pr_info("module %s %u.%u: loaded at %lx (%lu KiB, %u exports, %u imports) in %lu us\n", m->name,
            m->version >> 16, m->version & 0xffff, m->base, m->size / 1024, m->export_count,
            m->stub_count, m->load_ns / 1000);
    *out = m;
    return MOD_OK;
}

enum mod_status module_load_version_locked(struct module *running, uint32_t version,
                                           const void *data, size_t size, struct module **out,
                                           struct mod_error *err)
{
    uint64_t start = clock_ns();
    struct mod_elf elf;
    struct module *m = NULL;
    enum mod_status st = new_module(running->name, version, data, size, &elf, &m, err);
    if (st != MOD_OK)
        return st;
    m->identity = running->identity; /* not published: no symbols, not listed */
    st = link_module(m, &elf, err);
    if (st != MOD_OK) {
        remove_exports(m);
        release_module(m);
        return st;
    }
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users++;
    m->load_ns = clock_ns() - start;
    *out = m;
    return MOD_OK;
}

void module_switch_version_locked(struct module *old, struct module *next)
{
    list_push_back(&modules, &next->node);
    list_remove(&old->node);
    next->state = MODULE_LIVE;
    old->state = MODULE_UNLOADING;
    next->exports = old->exports;
    next->export_count = old->export_count;
    old->exports = NULL;
    old->export_count = 0;
    for (uint32_t i = 0; i < next->export_count; i++) {
        next->exports[i]->owner = next;
        next->exports[i]->version = next->version;
    }
    next->users = old->users;
    old->users = 0;
    list_for_each(pos, &modules)
    {
        struct module *x = list_entry(pos, struct module, node);
        for (uint32_t i = 0; i < x->dep_count; i++)
            if (x->deps[i] == old)
                x->deps[i] = next;
    }
    next->owns_identity = true;
    old->owns_identity = false;
    dev_module_switch(next); /* its staged claims and instances: the identity's */
}

void module_free_version_locked(struct module *m, bool run_exit)
{
    if (run_exit && m->exit)
        m->exit();
    if (m->identity->versions[m->version_slot] == m)
        m->identity->versions[m->version_slot] = NULL; /* the slot is free again */
    dev_module_released(m); /* what it staged, if it never went live */
    remove_exports(m);
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users--;
    release_module(m);
}

void module_lock(void) { mutex_lock(&module_mutex); }

void module_unlock(void) { mutex_unlock(&module_mutex); }

static struct module *find_locked(const char *name)
{
    list_for_each(pos, &modules)
    {
        struct module *m = list_entry(pos, struct module, node);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static enum mod_status load_locked(const char *name, struct module **out, struct mod_error *err)
{
    struct module *m = find_locked(name);
    if (m) {
        if (m->state == MODULE_LOADING)
            return mod_fail(err, MOD_E_CYCLE, "module %s: import cycle (it is still loading)",
                            name);
        *out = m;
        return MOD_OK;
    }
    const struct module_image_entry *e = have_image ? image_entry(name) : NULL;
    if (!e || e->type != MOD_SECTION_MODULE)
        return mod_fail(err, MOD_E_NOT_FOUND, "module %s: not in the image", name);
    if (!e->verified)
        return mod_fail(err, MOD_E_SIGNATURE, "module %s: refused at boot: %s", name, e->reason);
    struct mod_image_section s;
    enum mod_status st = mod_image_find(&boot_image, name, &s);
    if (st != MOD_OK)
        return mod_fail(err, st, "module %s: not in the image", name);
    return load_object_locked(name, s.version, s.content, s.size, out, err);
}

enum mod_status module_load(const char *name, struct module **out, struct mod_error *err)
{
    mutex_lock(&module_mutex);
    enum mod_status st = load_locked(name, out, err);
    mutex_unlock(&module_mutex);
    return st;
}

enum mod_status module_load_object(const char *name, uint32_t version, const void *elf, size_t size,
                                   struct module **out, struct mod_error *err)
{
    mutex_lock(&module_mutex);
    enum mod_status st = find_locked(name) ? mod_fail(err, MOD_E_IMAGE_DUPLICATE_NAME,
                                                      "module %s: already loaded", name)
                                           : load_object_locked(name, version, elf, size, out, err);
    mutex_unlock(&module_mutex);
    return st;
}

enum mod_status module_unload(struct module *m, struct mod_error *err)
{
    mutex_lock(&module_mutex);
    enum mod_status st = MOD_OK;
    if (m->users)
        st = mod_fail(err, MOD_E_BUSY, "module %s: %u modules import from it", m->name, m->users);
    else if (m->identity->retiring)
        st = mod_fail(err, MOD_E_BUSY, "module %s: %u older versions still have chains inside",
                      m->name, m->identity->retiring);
    else if (mod_dispatch_active(m))
        st = mod_fail(err, MOD_E_BUSY, "module %s: %lu call chains are inside it", m->name,
                      mod_dispatch_active(m));
    else if (__atomic_load_n(&m->identity->ghost_bound, __ATOMIC_ACQUIRE))
        st = mod_fail(err, MOD_E_BUSY, "module %s: programs are bound to its exports", m->name);
    else
        st = dev_module_busy(m, err); /* instances of its classes held */
    if (st != MOD_OK) {
        mutex_unlock(&module_mutex);
        return st;
    }
    m->state = MODULE_UNLOADING;
    if (m->exit)
        m->exit();
    dev_module_unloaded(m); /* its claims, classes and instances */
    remove_exports(m);
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users--;
    list_remove(&m->node);
    rcu_synchronize(); /* a chain that entered before the symbols went is counted */
    if (!mod_dispatch_wait_inactive(m, MODULE_UNLOAD_DRAIN_MS)) {
        pr_warn("module %s: unloaded, but %lu chains are still inside: its memory is kept\n",
                m->name, mod_dispatch_active(m));
        mutex_unlock(&module_mutex);
        return MOD_OK;
    }
    pr_info("module %s: unloaded\n", m->name);
    release_module(m);
    mutex_unlock(&module_mutex);
    return MOD_OK;
}

struct module *module_find_locked(const char *name) { return find_locked(name); }

struct module *module_find(const char *name)
{
    mutex_lock(&module_mutex);
    struct module *m = find_locked(name);
    mutex_unlock(&module_mutex);
    return m;
}

void module_for_each(void (*fn)(const struct module *m, void *arg), void *arg)
{
    mutex_lock(&module_mutex);
    list_for_each(pos, &modules) fn(list_entry(pos, struct module, node), arg);
    mutex_unlock(&module_mutex);
}

const char *module_state_name(enum module_state s)
{
    switch (s) {
    case MODULE_LOADING:
        return "loading";
    case MODULE_LIVE:
        return "live";
    case MODULE_UNLOADING:
        return "unloading";
    }
    return "?";
}

/* ---- boot ----------------------------------------------------------------- */

static const struct boot_module *find_image_module(void)
{
    for (unsigned i = 0; i < boot_info.module_count; i++)
        if (strcmp(boot_info.modules[i].cmdline, "image") == 0)
            return &boot_info.modules[i];
    return NULL;
}

/* Checks every section; a bad one is refused (with its reason) and kept
 * out of reach, the others stay usable. */
static void verify_image(void)
{
    for (uint32_t i = 0; i < boot_image.section_count && i < ARRAY_SIZE(image_entries); i++) {
        struct mod_image_section s;
        struct mod_error err = { 0 };
        mod_image_section(&boot_image, i, &s);
        struct module_image_entry *e = &image_entries[image_entry_count++];
        strlcpy(e->name, s.name, sizeof(e->name));
        e->type = s.type;
        e->version = s.version;
        e->verified = mod_image_verify_section(&s, mod_signing_key, &err) == MOD_OK;
        if (!e->verified) {
            strlcpy(e->reason, err.message, sizeof(e->reason));
            pr_err("image: section %s refused: %s\n", s.name, err.message);
        } else if (s.type == MOD_SECTION_PROGRAM) {
            program_register(s.name, s.content, s.size); /* logs a refusal */
        }
    }
}

static void load_boot_configuration(void)
{
    const struct module_image_entry *e = image_entry("boot.conf");
    struct mod_image_section s;
    if (!e || e->type != MOD_SECTION_CONFIG || mod_image_find(&boot_image, e->name, &s) != MOD_OK) {
        pr_warn("image: no boot configuration section; no module loaded at boot\n");
        return;
    }
    if (!e->verified) {
        pr_err("image: boot configuration refused (%s); no module loaded at boot\n", e->reason);
        return;
    }
    struct mod_config_cursor cursor;
    char name[MOD_IMAGE_NAME_SIZE];
    struct mod_error err;
    mod_config_begin(&cursor, s.content, s.size);
    enum mod_status st;
    while ((st = mod_config_next(&cursor, name, &err)) == MOD_OK) {
        struct module *m;
        if (module_load(name, &m, &err) != MOD_OK)
            pr_err("boot: module %s not loaded: %s\n", name, err.message);
    }
    if (st != MOD_E_NOT_FOUND)
        pr_err("boot: configuration: %s\n", err.message);
}

void module_boot(void)
{
    const struct boot_module *bm = find_image_module();
    if (!bm) {
        pr_warn("image: GRUB loaded no image module: running the core alone\n");
        return;
    }
    struct mod_error err;
    if (mod_image_open(&boot_image, phys_to_virt(bm->start), bm->end - bm->start, &err) != MOD_OK) {
        pr_err("image: %s: running the core alone\n", err.message);
        return;
    }
    have_image = true;
    verify_image();
    unsigned ok = 0;
    for (unsigned i = 0; i < image_entry_count; i++)
        ok += image_entries[i].verified;
    pr_info("image: %u sections, %u verified\n", image_entry_count, ok);
    load_boot_configuration();
}

/* ---- binding by name ------------------------------------------------------ */

enum mod_status module_bind(const char *name, uint32_t *slot, struct mod_error *err)
{
    mutex_lock(&module_mutex);
    enum mod_status st = MOD_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        rcu_read_lock();
        struct symbol *s = sym_lookup(name);
        if (s) {
            *slot = s->slot;
            __atomic_fetch_add(&s->bindings, 1, __ATOMIC_RELAXED);
        }
        rcu_read_unlock();
        if (s)
            goto out;
        const char *provider = attempt == 0 && have_image ? image_module_exporting(name) : NULL;
        if (!provider)
            break;
        struct module *m;
        st = load_locked(provider, &m, err);
        if (st != MOD_OK)
            goto out;
    }
    st = mod_fail(err, MOD_E_UNRESOLVED, "no module exports '%s'", name);
out:
    mutex_unlock(&module_mutex);
    return st;
}
