/* link.c — one module object linked into the kernel: laid out in the module area as [text | import stubs | guard thunks]
 * [rodata][data], each part page aligned, copied and relocated (each
 * import through a stub `jmp *slot(%rip)` into the symbol table; a name
 * nobody exports yet loads its provider from the image first), checked
 * against its providers' contracts before any of its code runs, protected
 * (text RX, rodata R, data RW, never W+X), exports registered, init run.
 * The manifest was read and checked against the object before (the
 * module object, module.h). Caller holds module_mutex.
 */
#include "modload/loader.h"
#include "kernel/dev/dev.h"
#include "modload/symtab.h"
#include "modload/module_guard.h"
#include "modload/module_manifest.h"
#include <wisp/mm.h>
#include <string.h>

#define STUB_SIZE 8 /* jmp *disp32(%rip) is 6 bytes, padded with int3 */

struct link_context {
    struct module *module;
    uint8_t *stubs;
    uint32_t stubs_used, stub_count;
    enum mod_status status;   /* of an on-demand load, if one failed */
    struct mod_error dep_err; /* ... and its reason */
};

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
 * exports yet may be exported by a module of the image: it is loaded
 * first (module_symbol_locked). */
static int resolve_import(void *context, const char *name, uint64_t *address)
{
    struct link_context *c = context;
    struct module_symbol s;
    struct mod_error err;
    enum mod_status st = module_symbol_locked(name, &s, false, &err);
    if (st != MOD_OK) {
        if (st != MOD_E_NOT_FOUND) { /* a provider failed: its reason wins */
            c->status = mod_fail(&c->dep_err, st, "import %s", err.message);
        }
        return -1;
    }
    if (s.kind == SYM_OBJECT) {
        *address = (uint64_t)s.object;
    } else {
        if (c->stubs_used == c->stub_count)
            return -1;
        *address = make_stub(c, s.slot);
    }
    add_dependency(c->module, s.owner);
    return 0;
}

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
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: no room for %lu KiB in the module area",
                        m->name, total / 1024);
    m->size = total;
    if (!area_map(m->base, total / PAGE_SIZE)) {
        area_free(m->base, total / PAGE_SIZE);
        m->base = 0;
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory for %lu KiB", m->name,
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

/* Debug builds: one guard per export, its thunk written after the import
 * stubs while the text is still writable; exports_register() then makes
 * them the version's implementations (module_guard.h). */
static enum mod_status install_guards(struct module *m, const struct mod_elf *elf,
                                      const struct mod_load_target *target, struct mod_error *err)
{
    uint32_t count = m->manifest->export_count;
    if (!module_guards_enabled() || count == 0)
        return MOD_OK;
    m->guards = kzalloc(sizeof(*m->guards) * count);
    if (!m->guards)
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory for export guards",
                        m->name);
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
    list_for_each(pos, &module_list) count++;
    const struct mod_manifest **loaded = kzalloc(sizeof(*loaded) * (count ? count : 1));
    if (!loaded)
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory", m->name);
    count = 0;
    list_for_each(pos, &module_list)
    {
        struct module *other = list_entry(pos, struct module, node);
        if (other != m && other->state == MODULE_LIVE && other->manifest)
            loaded[count++] = other->manifest;
    }
    enum mod_status st = module_manifest_check_imports(m, elf, loaded, count, err);
    kfree(loaded);
    return st;
}

enum mod_status module_link(struct module *m, const struct mod_elf *elf, struct mod_error *err)
{
    enum mod_status st;
    struct mod_layout layout;
    module_assert_locked();
    struct mod_placement *placements = kzalloc(sizeof(*placements) * elf->section_count);
    uint64_t *values = kzalloc(sizeof(*values) * (elf->symbol_count ? elf->symbol_count : 1));
    if (!placements || !values) {
        st = mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory", m->name);
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
    st = exports_register(m, elf, &target, err);
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
