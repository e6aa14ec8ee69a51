/* module.c — load and unload (see module.h): the module list, a module's
 * life from LOADING to LIVE to UNLOADING, the one load function (a first
 * version, or a new version beside the live one for modload/update/), the
 * switch of versions, and binding by name with on-demand loads.
 *
 * Locking: module_mutex serializes every load, unload and update and
 * protects the module list and each module's deps/users (loader.h).
 * The other steps live beside this file: the module area (area.c), the
 * boot image (boot_image.c), linking (link.c), identities and exports
 * (identity.c), retiring versions (retire.c), the history and the version
 * floor (history.c).
 */
#include "modload/loader.h"
#include "kernel/dev/dev.h"
#include "modload/symtab.h"
#include "modload/dispatch.h"
#include "modload/history.h"
#include "modload/module_manifest.h"
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/time.h>
#include <string.h>

struct mutex module_mutex = MUTEX_INIT(module_mutex, "modules");
struct list_node module_list = LIST_INIT(module_list); /* module_mutex */

void module_lock(void) { mutex_lock(&module_mutex); }

void module_unlock(void) { mutex_unlock(&module_mutex); }

void module_assert_locked(void)
{
    /* The mutex knows its owner in every build; the validator's
     * lockdep_assert_held would name the caller, but only in debug ones. */
    if (mutex_owner(&module_mutex) != current_thread())
        panic("module lock not held by %s", current_thread()->name);
}

/* ---- module objects ------------------------------------------------------- */

enum mod_status module_object_open(struct module_object *o, const char *name, uint32_t version,
                                   const void *data, size_t size, struct mod_error *err)
{
    memset(o, 0, sizeof(*o));
    strlcpy(o->name, name, sizeof(o->name));
    o->version = version;
    enum mod_status st = mod_elf_parse(&o->elf, data, size, err);
    if (st != MOD_OK)
        return st;
    return module_manifest_read(name, &o->elf, &o->manifest, err);
}

void module_object_close(struct module_object *o)
{
    kfree(o->manifest);
    o->manifest = NULL;
}

/* ---- loading -------------------------------------------------------------- */

/* A LOADING module for o, which hands it its manifest. */
static struct module *module_new(struct module_object *o, struct mod_identity *identity,
                                 struct mod_error *err)
{
    struct module *m = kzalloc(sizeof(*m));
    if (!m) {
        mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory", o->name);
        return NULL;
    }
    strlcpy(m->name, o->name, sizeof(m->name));
    m->version = o->version;
    m->state = MODULE_LOADING;
    m->identity = identity;
    m->manifest = o->manifest;
    o->manifest = NULL;
    return m;
}

enum mod_status module_load_object_locked(struct module_object *o, struct mod_identity *identity,
                                          struct module **out, struct mod_error *err)
{
    module_assert_locked();
    uint64_t start = clock_ns();
    bool first = identity == NULL;
    if (first && module_find_locked(o->name))
        return mod_fail(err, MOD_E_ALREADY_LOADED, "module %s: already loaded", o->name);
    struct module *m = module_new(o, identity, err);
    if (!m)
        return MOD_E_NO_MEMORY;
    if (first)
        list_push_back(&module_list, &m->node); /* visible as LOADING: cycle check */
    enum mod_status st = module_link(m, &o->elf, err);
    if (st != MOD_OK) {
        if (first)
            list_remove(&m->node);
        exports_remove(m);
        module_release(m);
        return st;
    }
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users++;
    m->load_ns = clock_ns() - start;
    if (first) {
        m->state = MODULE_LIVE;
        module_history_add(m->name, m->version, "load");
        pr_info("module %s %u.%u: loaded at %lx (%lu KiB, %u exports, %u imports) in %lu us\n",
                m->name, m->version >> 16, m->version & 0xffff, m->base, m->size / 1024,
                m->export_count, m->stub_count, m->load_ns / 1000);
    }
    *out = m;
    return MOD_OK;
}

enum mod_status module_load_locked(const char *name, struct module **out, struct mod_error *err)
{
    module_assert_locked();
    struct module *m = module_find_locked(name);
    if (m) {
        if (m->state == MODULE_LOADING)
            return mod_fail(err, MOD_E_CYCLE, "module %s: import cycle (it is still loading)",
                            name);
        *out = m;
        return MOD_OK;
    }
    struct mod_image_section s;
    struct module_object o = { 0 };
    enum mod_status st = boot_image_module(name, &s, err);
    if (st == MOD_OK)
        st = module_object_open(&o, name, s.version, s.content, s.size, err);
    if (st == MOD_OK)
        st = module_load_object_locked(&o, NULL, out, err);
    module_object_close(&o);
    return st;
}

enum mod_status module_load(const char *name, struct module **out, struct mod_error *err)
{
    module_lock();
    enum mod_status st = module_load_locked(name, out, err);
    module_unlock();
    return st;
}

/* ---- versions ------------------------------------------------------------- */

void module_switch_version_locked(struct module *old, struct module *next)
{
    module_assert_locked();
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
    dev_module_switch(next); /* its staged claims and instances: the identity's */
}

void module_free_version_locked(struct module *m, bool run_exit)
{
    module_assert_locked();
    if (run_exit && m->exit)
        m->exit();
    dev_module_freed(m); /* unloaded: its claims and instances; else what it staged */
    if (m->identity->versions[m->version_index] == m)
        m->identity->versions[m->version_index] = NULL; /* the index is free again */
    exports_remove(m);
    for (uint32_t i = 0; i < m->dep_count; i++)
        m->deps[i]->users--;
    module_release(m);
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

/* ---- unloading ------------------------------------------------------------ */

static enum mod_status check_unload(const struct module *m, struct mod_error *err)
{
    if (m->state != MODULE_LIVE)
        return mod_fail(err, MOD_E_BUSY, "module %s: not live (%s)", m->name,
                        module_state_name(m->state));
    if (m->users)
        return mod_fail(err, MOD_E_BUSY, "module %s: %u modules import from it", m->name, m->users);
    if (m->identity->retiring)
        return mod_fail(err, MOD_E_BUSY, "module %s: %u older versions still have chains inside",
                        m->name, m->identity->retiring);
    if (__atomic_load_n(&m->identity->ghost_bound, __ATOMIC_ACQUIRE))
        return mod_fail(err, MOD_E_BUSY, "module %s: programs are bound to its exports", m->name);
    return dev_module_unloading(m, err); /* last: refused while an instance is held */
}

/* Unload never waits for call chains: once its symbols are gone and a
 * grace period has passed, no new chain can enter; the chains already
 * inside finish on their own. The module's exit runs, and its memory is
 * freed, only after the last of them has left — at once, or by the reaper
 * (retire.c). */
enum mod_status module_unload(struct module *m, struct mod_error *err)
{
    module_lock();
    enum mod_status st = check_unload(m, err);
    if (st != MOD_OK) {
        module_unlock();
        return st;
    }
    m->state = MODULE_UNLOADING;
    m->exit_when_freed = true;
    exports_remove(m);
    list_remove(&m->node);
    rcu_synchronize(); /* a chain that entered before the symbols went is counted */
    uint64_t inside = mod_dispatch_active(m);
    if (inside) {
        pr_info("module %s: unloaded; %lu chains still inside: exit and free when they leave\n",
                m->name, inside);
        module_retire_later(m);
    } else {
        pr_info("module %s: unloaded\n", m->name);
        module_free_version_locked(m, true);
    }
    module_unlock();
    return MOD_OK;
}

/* ---- finding -------------------------------------------------------------- */

struct module *module_find_locked(const char *name)
{
    module_assert_locked();
    list_for_each(pos, &module_list)
    {
        struct module *m = list_entry(pos, struct module, node);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

struct module *module_find(const char *name)
{
    module_lock();
    struct module *m = module_find_locked(name);
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

/* ---- binding by name ------------------------------------------------------ */

/* Copies what a binder needs of the symbol name (inside an epoch section:
 * the symbol may be removed by an unload later); counts a binding. */
static bool lookup(const char *name, struct module_symbol *out, bool count_binding)
{
    rcu_read_lock();
    struct symbol *s = sym_lookup(name);
    if (s) {
        out->kind = s->kind;
        out->slot = s->slot;
        out->owner = s->owner;
        out->object = s->kind == SYM_OBJECT ? sym_slot_load(s->slot) : NULL;
        if (count_binding)
            __atomic_fetch_add(&s->bindings, 1, __ATOMIC_RELAXED);
    }
    rcu_read_unlock();
    return s != NULL;
}

enum mod_status module_symbol_locked(const char *name, struct module_symbol *out,
                                     bool count_binding, struct mod_error *err)
{
    module_assert_locked();
    if (lookup(name, out, count_binding))
        return MOD_OK;
    const char *provider = boot_image_exporting(name);
    if (!provider)
        return mod_fail(err, MOD_E_NOT_FOUND, "no module exports '%s'", name);
    struct module *m;
    struct mod_error dep_err;
    enum mod_status st = module_load_locked(provider, &m, &dep_err);
    if (st != MOD_OK)
        return mod_fail(err, st, "'%s' needs module %s: %s", name, provider, dep_err.message);
    if (lookup(name, out, count_binding))
        return MOD_OK;
    return mod_fail(err, MOD_E_UNRESOLVED, "module %s was loaded but does not export '%s'",
                    provider, name);
}

enum mod_status module_bind(const char *name, uint32_t *slot, struct mod_error *err)
{
    struct module_symbol s;
    module_lock();
    enum mod_status st = module_symbol_locked(name, &s, true, err);
    module_unlock();
    if (st == MOD_E_NOT_FOUND)
        st = mod_fail(err, MOD_E_UNRESOLVED, "no module exports '%s'", name);
    if (st == MOD_OK)
        *slot = s.slot;
    return st;
}
