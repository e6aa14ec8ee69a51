/* module.c — load and unload (see module.h): the module list, a module's
 * life from LOADING to LIVE to UNLOADING, a new version loaded beside the
 * live one and switched in (for modload/update/), binding by name.
 *
 * Locking: module_mutex serializes every load, unload and update and
 * protects the module list and each module's deps/users (loader.h).
 * The other steps live beside this file: the module area (area.c), the
 * boot image (boot_image.c), linking (link.c), identities and exports
 * (identity.c), retiring versions (retire.c), the history (history.c).
 */
#include "modload/loader.h"
#include "modload/symtab.h"
#include "modload/dispatch.h"
#include "modload/history.h"
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <string.h>

#define MODULE_UNLOAD_DRAIN_MS 2000 /* longest unload waits for chains inside */

struct mutex module_mutex = MUTEX_INIT(module_mutex, "modules");
struct list_node module_list = LIST_INIT(module_list); /* module_mutex */

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
    list_push_back(&module_list, &m->node); /* visible as LOADING: cycle check */
    st = module_link(m, &elf, err);
    if (st != MOD_OK) {
        list_remove(&m->node);
        exports_remove(m);
        module_release(m);
        return st;
    }
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users++;
    m->state = MODULE_LIVE;
    m->load_ns = clock_ns() - start;
    module_history_add(m->name, m->version, "load");
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
    st = module_link(m, &elf, err);
    if (st != MOD_OK) {
        exports_remove(m);
        module_release(m);
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
    list_push_back(&module_list, &next->node);
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
    list_for_each(pos, &module_list)
    {
        struct module *x = list_entry(pos, struct module, node);
        for (uint32_t i = 0; i < x->dep_count; i++)
            if (x->deps[i] == old)
                x->deps[i] = next;
    }
    next->owns_identity = true;
    old->owns_identity = false;
}

void module_free_version_locked(struct module *m, bool run_exit)
{
    if (run_exit && m->exit)
        m->exit();
    if (m->identity->versions[m->version_slot] == m)
        m->identity->versions[m->version_slot] = NULL; /* the slot is free again */
    exports_remove(m);
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users--;
    module_release(m);
}

void module_lock(void) { mutex_lock(&module_mutex); }

void module_unlock(void) { mutex_unlock(&module_mutex); }

void module_assert_locked(void)
{
    if (mutex_owner(&module_mutex) != current_thread())
        panic("module lock not held by %s", current_thread()->name);
}

static struct module *find_locked(const char *name)
{
    list_for_each(pos, &module_list)
    {
        struct module *m = list_entry(pos, struct module, node);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

enum mod_status module_load_locked(const char *name, struct module **out, struct mod_error *err)
{
    struct module *m = find_locked(name);
    if (m) {
        if (m->state == MODULE_LOADING)
            return mod_fail(err, MOD_E_CYCLE, "module %s: import cycle (it is still loading)",
                            name);
        *out = m;
        return MOD_OK;
    }
    struct mod_image_section s;
    enum mod_status st = boot_image_module(name, &s, err);
    if (st != MOD_OK)
        return st;
    return load_object_locked(name, s.version, s.content, s.size, out, err);
}

enum mod_status module_load(const char *name, struct module **out, struct mod_error *err)
{
    module_lock();
    enum mod_status st = module_load_locked(name, out, err);
    module_unlock();
    return st;
}

enum mod_status module_load_object(const char *name, uint32_t version, const void *elf, size_t size,
                                   struct module **out, struct mod_error *err)
{
    module_lock();
    enum mod_status st = find_locked(name) ? mod_fail(err, MOD_E_IMAGE_DUPLICATE_NAME,
                                                      "module %s: already loaded", name)
                                           : load_object_locked(name, version, elf, size, out, err);
    module_unlock();
    return st;
}

enum mod_status module_unload(struct module *m, struct mod_error *err)
{
    module_lock();
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
    if (st != MOD_OK) {
        module_unlock();
        return st;
    }
    m->state = MODULE_UNLOADING;
    if (m->exit)
        m->exit();
    exports_remove(m);
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users--;
    list_remove(&m->node);
    rcu_synchronize(); /* a chain that entered before the symbols went is counted */
    if (!mod_dispatch_wait_inactive(m, MODULE_UNLOAD_DRAIN_MS)) {
        pr_warn("module %s: unloaded, but %lu chains are still inside: its memory is kept\n",
                m->name, mod_dispatch_active(m));
        module_unlock();
        return MOD_OK;
    }
    pr_info("module %s: unloaded\n", m->name);
    module_release(m);
    module_unlock();
    return MOD_OK;
}

struct module *module_find_locked(const char *name) { return find_locked(name); }

struct module *module_find(const char *name)
{
    module_lock();
    struct module *m = find_locked(name);
    module_unlock();
    return m;
}

void module_for_each(void (*fn)(const struct module *m, void *arg), void *arg)
{
    module_lock();
    list_for_each(pos, &module_list) fn(list_entry(pos, struct module, node), arg);
    module_unlock();
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

/* Frees what a failed or unloaded module holds; its symbols are gone. */
void module_release(struct module *m)
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

enum mod_status module_bind(const char *name, uint32_t *slot, struct mod_error *err)
{
    module_lock();
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
        const char *provider = attempt == 0 ? boot_image_exporting(name) : NULL;
        if (!provider)
            break;
        struct module *m;
        st = module_load_locked(provider, &m, err);
        if (st != MOD_OK)
            goto out;
    }
    st = mod_fail(err, MOD_E_UNRESOLVED, "no module exports '%s'", name);
out:
    module_unlock();
    return st;
}
