/* interface_load.c — a module's manifest interfaces bound at load, before
 * its init runs (loader.c's dev_module_begin), all or nothing:
 *
 * - each `interface IID M.N` with its methods is registered, or, when the
 *   registry has IID already (another module defines it too), must be the
 *   same definition: version and every method's contract — else the load
 *   is refused naming both;
 * - each `implements IID M.N CLSID` needs IID in the registry (or defined
 *   by this manifest) at the same major version and a minor version at
 *   least the registry's, a class name nobody else provides, and for each
 *   method an export CLSID_METHOD whose contract keeps the method's (rule
 *   (a) of the contracts, the method as the caller's requirement).
 *
 * A new version loaded for a live update must declare the same interfaces
 * and classes as the running one (the identity keeps its classes and
 * instances across versions); anything else is refused.
 */
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include "kernel/dev/dev_internal.h"
#include "kernel/dev/interface_internal.h"
#include "modload/contract/contract.h"
#include "modload/dispatch.h"
#include "modload/contract/manifest_devices.h"
#include "modload/module.h"
#include <string.h>

static void method_from(struct iface_method *out, const struct mod_manifest *m,
                        const struct mod_contract *c)
{
    memset(out, 0, sizeof(*out));
    strlcpy(out->name, c->symbol, sizeof(out->name));
    out->contract = *c;
    (void)m;
}

static bool same_method(const struct iface_method *a, const struct iface_method *b)
{
    const struct mod_contract *x = &a->contract, *y = &b->contract;
    if (strcmp(a->name, b->name) || x->context != y->context || x->sleeps != y->sleeps ||
        x->reentrant != y->reentrant || x->user_callable != y->user_callable ||
        x->update != y->update)
        return false;
    return true;
}

/* The definition d of manifest m against the registry's copy: 0 when the
 * same, else the reason. */
static int check_definition(const struct module *m, const struct mod_interface_decl *d,
                            const struct iface *have, struct mod_error *err)
{
    if (have->major != d->major || have->minor != d->minor) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: interface '%s' version mismatch: it defines %u.%u, module '%s' "
                 "defined %u.%u",
                 m->name, d->iid, d->major, d->minor, have->defined_by, have->major, have->minor);
        return -1;
    }
    struct iface_method method;
    bool same = have->method_count == d->method_count;
    for (uint32_t j = 0; same && j < d->method_count; j++) {
        method_from(&method, m->manifest, &m->manifest->methods[d->first_method + j]);
        same = same_method(&method, &have->methods[j]);
    }
    if (!same) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: interface '%s' %u.%u differs from the definition of module '%s' "
                 "(its methods or their contracts)",
                 m->name, d->iid, d->major, d->minor, have->defined_by);
        return -1;
    }
    return 0;
}

/* Does export `export` keep method `method`'s contract? */
static int check_method(const struct module *m, const struct mod_implements_decl *d,
                        const struct iface_method *method, uint32_t *export_index,
                        struct mod_error *err)
{
    char name[MOD_MANIFEST_NAME_SIZE];
    const struct mod_manifest *man = m->manifest;
    int e = mod_method_export_name(d->clsid, method->name, name, sizeof(name))
                ? mod_manifest_find_export(man, name)
                : -1;
    int index = e >= 0 ? mod_dispatch_export_index(m->identity, name) : -1;
    if (index < 0) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: class '%s' implements '%s' but exports no '%s_%s' for its method "
                 "'%s'",
                 m->name, d->clsid, d->iid, d->clsid, method->name, method->name);
        return -1;
    }
    struct mod_contract_result result;
    struct mod_contract required = method->contract;
    required.acquires = required.caller_holds = required.holds = 0;
    /* `user-callable yes` on a method means programs may call it through
     * iface_call: the gate calls the export with the instance's context,
     * so the export itself is not a ghost function (a program calling it
     * directly could hand it any context). */
    required.user_callable = false;
    enum mod_contract_clause clause =
        mod_contract_check_import(man, &required, man, &man->exports[e], NULL, &result);
    if (clause != MOD_CLAUSE_OK) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: export '%s' does not keep the contract of method '%s' of interface "
                 "'%s' (clause '%s')",
                 m->name, name, method->name, d->iid, mod_contract_clause_name(clause));
        return -1;
    }
    *export_index = (uint32_t)index;
    return 0;
}

/* The interface class d implements: the registry's, or the one this
 * manifest defines (fresh[i], not yet registered). */
static const struct iface *interface_for(const struct module *m,
                                         const struct mod_implements_decl *d, struct iface **fresh,
                                         struct mod_error *err)
{
    const struct iface *iface = iface_find_locked(d->iid);
    int local = mod_manifest_find_interface(m->manifest, d->iid);
    if (!iface && local >= 0)
        iface = fresh[local];
    if (!iface) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: class '%s' implements interface '%s', which no loaded module "
                 "defines",
                 m->name, d->clsid, d->iid);
        return NULL;
    }
    if (iface->major != d->major || d->minor < iface->minor) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: class '%s' implements '%s' %u.%u, the registry has %u.%u "
                 "(interface version mismatch)",
                 m->name, d->clsid, d->iid, d->major, d->minor, iface->major, iface->minor);
        return NULL;
    }
    if (iface_find_class_locked(d->clsid)) {
        mod_fail(err, MOD_E_CONTRACT, "module %s: class '%s' is provided by module '%s'", m->name,
                 d->clsid, iface_find_class_locked(d->clsid)->module);
        return NULL;
    }
    return iface;
}

/* An update: the same interfaces and classes as the running version. */
static int check_update(struct module *m, struct mod_error *err)
{
    const struct module *running = mod_identity_current(m->identity);
    const struct mod_manifest *a = running->manifest, *b = m->manifest;
    bool same = a->interface_count == b->interface_count &&
                a->implements_count == b->implements_count && a->method_count == b->method_count;
    for (uint32_t i = 0; same && i < b->interface_count; i++) {
        const struct iface *have = iface_find_locked(b->interfaces[i].iid);
        same = have && check_definition(m, &b->interfaces[i], have, NULL) == 0;
    }
    for (uint32_t i = 0; same && i < b->implements_count; i++)
        same = strcmp(a->implements[i].clsid, b->implements[i].clsid) == 0 &&
               strcmp(a->implements[i].iid, b->implements[i].iid) == 0 &&
               a->implements[i].major == b->implements[i].major &&
               a->implements[i].minor == b->implements[i].minor;
    if (!same) {
        mod_fail(err, MOD_E_CONTRACT,
                 "module %s: an update keeps the interfaces and classes of the running version "
                 "(clause 'interfaces')",
                 m->name);
        return -1;
    }
    return 0;
}

static struct iface *new_interface(const struct module *m, const struct mod_interface_decl *d)
{
    struct iface *iface = kzalloc(sizeof(*iface));
    if (!iface)
        return NULL;
    strlcpy(iface->iid, d->iid, sizeof(iface->iid));
    strlcpy(iface->defined_by, m->name, sizeof(iface->defined_by));
    iface->major = d->major;
    iface->minor = d->minor;
    iface->method_count = d->method_count;
    for (uint32_t j = 0; j < d->method_count; j++)
        method_from(&iface->methods[j], m->manifest, &m->manifest->methods[d->first_method + j]);
    return iface;
}

/* Checks everything, then registers: nothing is registered on failure. */
static int bind_first_version(struct module *m, struct mod_error *err)
{
    const struct mod_manifest *man = m->manifest;
    struct iface *fresh[MOD_MANIFEST_MAX_INTERFACES] = { 0 };
    struct iface_class *classes[MOD_MANIFEST_MAX_IMPLEMENTS] = { 0 };
    struct iface_definition *defs[MOD_MANIFEST_MAX_INTERFACES] = { 0 };
    int rc = -1;
    for (uint32_t i = 0; i < man->interface_count; i++) {
        const struct iface *have = iface_find_locked(man->interfaces[i].iid);
        if (have && check_definition(m, &man->interfaces[i], have, err))
            goto fail;
        if (!have && !(fresh[i] = new_interface(m, &man->interfaces[i])))
            goto nomem;
        if (!(defs[i] = kzalloc(sizeof(*defs[i]))))
            goto nomem;
    }
    for (uint32_t k = 0; k < man->implements_count; k++) {
        const struct mod_implements_decl *d = &man->implements[k];
        const struct iface *iface = interface_for(m, d, fresh, err);
        if (!iface)
            goto fail;
        if (!(classes[k] = kzalloc(sizeof(*classes[k]))))
            goto nomem;
        for (uint32_t j = 0; j < iface->method_count; j++)
            if (check_method(m, d, &iface->methods[j], &classes[k]->method_export[j], err))
                goto fail;
        classes[k]->iface = (struct iface *)iface;
        strlcpy(classes[k]->clsid, d->clsid, sizeof(classes[k]->clsid));
        strlcpy(classes[k]->module, m->name, sizeof(classes[k]->module));
        classes[k]->major = d->major;
        classes[k]->minor = d->minor;
        classes[k]->owner = m->identity;
    }
    for (uint32_t i = 0; i < man->interface_count; i++) { /* all checked: register */
        struct iface *iface = fresh[i] ? fresh[i] : iface_find_locked(man->interfaces[i].iid);
        if (fresh[i])
            list_push_back(&iface_list, &fresh[i]->node);
        iface->definers++;
        defs[i]->iface = iface;
        defs[i]->owner = m->identity;
        list_push_back(&iface_definitions, &defs[i]->node);
        fresh[i] = NULL;
        defs[i] = NULL;
    }
    for (uint32_t k = 0; k < man->implements_count; k++) {
        classes[k]->iface->classes++;
        list_push_back(&iface_classes, &classes[k]->node);
        classes[k] = NULL;
    }
    rc = 0;
    goto fail; /* frees nothing left: every pointer was taken */
nomem:
    mod_fail(err, MOD_E_LAYOUT, "module %s: out of memory for its interfaces", m->name);
fail:
    for (uint32_t i = 0; i < MOD_MANIFEST_MAX_INTERFACES; i++) {
        kfree(fresh[i]);
        kfree(defs[i]);
    }
    for (uint32_t k = 0; k < MOD_MANIFEST_MAX_IMPLEMENTS; k++)
        kfree(classes[k]);
    return rc;
}

int iface_module_begin(struct module *m, struct mod_error *err)
{
    mutex_lock(&iface_lock);
    int rc = m->owns_identity ? bind_first_version(m, err) : check_update(m, err);
    mutex_unlock(&iface_lock);
    if (rc == 0 && m->owns_identity &&
        (m->manifest->interface_count || m->manifest->implements_count))
        pr_info("module %s: %u interfaces defined, %u classes registered\n", m->name,
                m->manifest->interface_count, m->manifest->implements_count);
    return rc;
}
