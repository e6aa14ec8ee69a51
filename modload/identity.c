/* identity.c — a module's identity and exports. The identity is created
 * by the first version's load and shared by every later version: its
 * export names and one dispatch thunk per export (dispatch.h), which is
 * what the export's symbol points at for as long as the module is loaded.
 * A new version registers no symbol; it fills its implementation table
 * (m->impl) for the identity's exports. Caller holds module_mutex.
 */
#include "modload/loader.h"
#include "modload/symtab.h"
#include "modload/dispatch.h"
#include "modload/module_guard.h"
#include <wisp/mm.h>
#include <string.h>

void identity_free(struct mod_identity *id)
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
 * ELF may be a transient push buffer) and one dispatch thunk per export.
 * On failure what it took is freed with m (m->owns_identity). */
static enum mod_status identity_create(struct module *m, const struct mod_elf *elf, uint32_t count,
                                       struct mod_error *err)
{
    struct mod_identity *id = kzalloc(sizeof(*id));
    if (!id)
        goto nomem;
    m->identity = id;
    m->owns_identity = true;
    strlcpy(id->name, m->name, sizeof(id->name));
    wait_queue_init(&id->paused_wq);
    id->export_names = kzalloc(sizeof(char *) * (count ? count : 1));
    if (!id->export_names)
        goto nomem;
    const char *name;
    for (uint64_t off = 0; id->export_count < count && mod_elf_next_export(elf, &off, &name);) {
        size_t n = strlen(name);
        char *copy = kmalloc(n + 1);
        if (!copy)
            goto nomem;
        memcpy(copy, name, n + 1);
        id->export_names[id->export_count++] = copy;
    }
    id->thunks_pages =
        ALIGN_UP((uint64_t)(count ? count : 1) * MOD_DISPATCH_THUNK_SIZE, PAGE_SIZE) / PAGE_SIZE;
    id->thunks_va = area_alloc(id->thunks_pages);
    if (!id->thunks_va || !area_map(id->thunks_va, id->thunks_pages))
        goto nomem;
    mod_dispatch_write_thunks(id, (uint8_t *)id->thunks_va, id->thunks_va);
    area_protect(id->thunks_va, id->thunks_pages * PAGE_SIZE, VM_EXEC);
    m->version_index = 0;
    id->versions[0] = m;
    __atomic_store_n(&id->generation, 0, __ATOMIC_RELEASE);
    return MOD_OK;
nomem:
    return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory for its dispatch thunks",
                    m->name);
}

/* This version's code for export name: its guard thunk (debug builds) or
 * the function itself. */
static enum mod_status export_impl(struct module *m, const struct mod_elf *elf,
                                   const struct mod_load_target *target, const char *name,
                                   void **out, struct mod_error *err)
{
    uint32_t sym_index = mod_elf_find_export(elf, name);
    struct elf64_symbol es;
    if (sym_index)
        mod_elf_symbol(elf, sym_index, &es);
    if (!sym_index || ELF_SYMBOL_TYPE(es.info) != STT_FUNC)
        return mod_fail(err, MOD_E_UNRESOLVED,
                        "module %s: export '%s' is not a function the module defines", m->name,
                        name);
    int guard = m->guards ? mod_manifest_find_export(m->manifest, name) : -1;
    *out = guard >= 0 ? (void *)(m->guards_va + (uint64_t)guard * MODULE_GUARD_THUNK_SIZE)
                      : (void *)mod_symbol_address(target, sym_index);
    return MOD_OK;
}

/* Fills m->impl from the names listed in .wisp.exports. A first version
 * creates the identity and registers each name with its dispatch thunk; a
 * new version of a live module (identity already set) publishes nothing
 * and must implement exactly the identity's exports. */
enum mod_status exports_register(struct module *m, const struct mod_elf *elf,
                                 const struct mod_load_target *target, struct mod_error *err)
{
    uint32_t count;
    enum mod_status st = mod_elf_exports_valid(elf, &count, err);
    if (st != MOD_OK)
        return st;
    bool first = !m->identity;
    if (first && (st = identity_create(m, elf, count, err)))
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
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory for exports", m->name);
    const char *name;
    for (uint64_t off = 0; mod_elf_next_export(elf, &off, &name);) {
        int index = mod_dispatch_export_index(id, name);
        if (index < 0)
            return mod_fail(err, MOD_E_CONTRACT,
                            "module %s: export '%s' is not one of the running version's", m->name,
                            name);
        if ((st = export_impl(m, elf, target, name, &m->impl[index], err)))
            return st;
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

void exports_remove(struct module *m)
{
    for (uint32_t i = 0; i < m->export_count; i++)
        sym_remove(m->exports[i]);
    m->export_count = 0;
    kfree(m->exports);
    m->exports = NULL;
}
