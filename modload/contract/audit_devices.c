/* audit_devices.c — the device lines of a set of manifests (MODULES.md,
 * "Devices, resources and interfaces"), for mod_audit_set:
 *
 *   claims     two modules declare overlapping resources (only one can
 *              drive them at a time: the second one's claim is refused);
 *   interface  one interface defined differently by two modules (version
 *              or methods), a class implementing an interface that no
 *              module of the set defines or at another version, a class
 *              provided by two modules, a method without its export
 *              CLSID_METHOD or whose export does not keep the method's
 *              contract.
 *
 * The kernel refuses the same things at run time (kernel/dev/resource.c,
 * interface_load.c); the audit finds them before a module is pushed. Pure
 * code, like audit.c.
 */
#include "modload/contract/audit.h"
#include "modload/contract/audit_sink.h"
#include "modload/contract/manifest_devices.h"
#include "modload/contract/text.h"
#include <string.h>

static void check_claims(struct mod_audit_sink *sink, const struct mod_manifest *const *set,
                         size_t count)
{
    for (size_t a = 0; a < count; a++)
        for (size_t b = a + 1; b < count; b++)
            for (uint32_t i = 0; i < set[a]->claim_count; i++)
                for (uint32_t j = 0; j < set[b]->claim_count; j++) {
                    if (!mod_claims_overlap(&set[a]->claims[i], &set[b]->claims[j]))
                        continue;
                    char x[48], y[48];
                    mod_claim_describe(&set[a]->claims[i], x, sizeof(x));
                    mod_claim_describe(&set[b]->claims[j], y, sizeof(y));
                    mod_audit_emit(
                        sink, MOD_AUDIT_CLAIMS,
                        "modules '%s' (%s, line %u) and '%s' (%s, line %u) declare the same "
                        "resource: only one of them can claim it",
                        set[a]->name, x, set[a]->claims[i].line, set[b]->name, y,
                        set[b]->claims[j].line);
                }
}

/* The first manifest of the set that defines iid, and its index there. */
static const struct mod_manifest *definer(const struct mod_manifest *const *set, size_t count,
                                          const char *iid, int *index)
{
    for (size_t k = 0; k < count; k++)
        if ((*index = mod_manifest_find_interface(set[k], iid)) >= 0)
            return set[k];
    return NULL;
}

static bool same_method(const struct mod_contract *x, const struct mod_contract *y)
{
    return strcmp(x->symbol, y->symbol) == 0 && x->context == y->context &&
           x->sleeps == y->sleeps && x->reentrant == y->reentrant &&
           x->user_callable == y->user_callable && x->update == y->update;
}

static void check_definitions(struct mod_audit_sink *sink, const struct mod_manifest *const *set,
                              size_t count)
{
    for (size_t k = 0; k < count; k++)
        for (uint32_t i = 0; i < set[k]->interface_count; i++) {
            const struct mod_interface_decl *d = &set[k]->interfaces[i];
            int first_index;
            const struct mod_manifest *first = definer(set, count, d->iid, &first_index);
            if (first == set[k])
                continue;
            const struct mod_interface_decl *e = &first->interfaces[first_index];
            bool same =
                d->major == e->major && d->minor == e->minor && d->method_count == e->method_count;
            for (uint32_t j = 0; same && j < d->method_count; j++)
                same = same_method(&set[k]->methods[d->first_method + j],
                                   &first->methods[e->first_method + j]);
            if (!same)
                mod_audit_emit(
                    sink, MOD_AUDIT_INTERFACE,
                    "module '%s': interface '%s' %u.%u (line %u) differs from the definition of "
                    "module '%s' (%u.%u, line %u): version or methods",
                    set[k]->name, d->iid, d->major, d->minor, d->line, first->name, e->major,
                    e->minor, e->line);
        }
}

static void check_methods(struct mod_audit_sink *sink, const struct mod_manifest *m,
                          const struct mod_implements_decl *c, const struct mod_manifest *def,
                          const struct mod_interface_decl *iface)
{
    for (uint32_t j = 0; j < iface->method_count; j++) {
        struct mod_contract required = def->methods[iface->first_method + j];
        char name[MOD_MANIFEST_NAME_SIZE];
        int e = mod_method_export_name(c->clsid, required.symbol, name, sizeof(name))
                    ? mod_manifest_find_export(m, name)
                    : -1;
        if (e < 0) {
            mod_audit_emit(
                sink, MOD_AUDIT_INTERFACE,
                "module '%s': class '%s' (line %u) implements '%s' but exports no '%s_%s' for "
                "its method '%s'",
                m->name, c->clsid, c->line, c->iid, c->clsid, required.symbol, required.symbol);
            continue;
        }
        struct mod_contract_result result;
        required.acquires = required.caller_holds = required.holds = 0;
        required.user_callable = false; /* the gate calls it, not a program */
        enum mod_contract_clause clause =
            mod_contract_check_import(m, &required, m, &m->exports[e], NULL, &result);
        if (clause != MOD_CLAUSE_OK)
            mod_audit_emit(sink, MOD_AUDIT_INTERFACE,
                           "module '%s': export '%s' does not keep the contract of method '%s' of "
                           "interface '%s' (clause '%s')",
                           m->name, name, required.symbol, c->iid,
                           mod_contract_clause_name(clause));
    }
}

static void check_classes(struct mod_audit_sink *sink, const struct mod_manifest *const *set,
                          size_t count)
{
    for (size_t k = 0; k < count; k++)
        for (uint32_t i = 0; i < set[k]->implements_count; i++) {
            const struct mod_implements_decl *c = &set[k]->implements[i];
            for (size_t l = 0; l < k; l++)
                for (uint32_t j = 0; j < set[l]->implements_count; j++)
                    if (strcmp(set[l]->implements[j].clsid, c->clsid) == 0)
                        mod_audit_emit(sink, MOD_AUDIT_INTERFACE,
                                       "class '%s' is provided by modules '%s' and '%s'", c->clsid,
                                       set[l]->name, set[k]->name);
            int index;
            const struct mod_manifest *def = definer(set, count, c->iid, &index);
            if (!def) {
                mod_audit_emit(
                    sink, MOD_AUDIT_INTERFACE,
                    "module '%s': class '%s' (line %u) implements interface '%s', which no "
                    "module of the set defines",
                    set[k]->name, c->clsid, c->line, c->iid);
                continue;
            }
            const struct mod_interface_decl *iface = &def->interfaces[index];
            if (iface->major != c->major || c->minor < iface->minor) {
                mod_audit_emit(
                    sink, MOD_AUDIT_INTERFACE,
                    "module '%s': class '%s' implements '%s' %u.%u, module '%s' defines %u.%u "
                    "(interface version mismatch)",
                    set[k]->name, c->clsid, c->iid, c->major, c->minor, def->name, iface->major,
                    iface->minor);
                continue;
            }
            check_methods(sink, set[k], c, def, iface);
        }
}

size_t mod_audit_devices(const struct mod_manifest *const *manifests, size_t count,
                         mod_audit_report_fn report, void *context)
{
    struct mod_audit_sink sink = { report, context, 0 };
    check_claims(&sink, manifests, count);
    check_definitions(&sink, manifests, count);
    check_classes(&sink, manifests, count);
    return sink.count;
}

void mod_audit_table_devices(struct mod_text *t, const struct mod_manifest *m)
{
    for (uint32_t i = 0; i < m->claim_count; i++) {
        char line[48];
        mod_claim_describe(&m->claims[i], line, sizeof(line));
        mod_text_format(t, "  claims %s\n", line);
    }
    for (uint32_t i = 0; i < m->interface_count; i++) {
        const struct mod_interface_decl *d = &m->interfaces[i];
        mod_text_format(t, "  interface %s %u.%u:", d->iid, d->major, d->minor);
        for (uint32_t j = 0; j < d->method_count; j++)
            mod_text_format(t, " %s", m->methods[d->first_method + j].symbol);
        mod_text_char(t, '\n');
    }
    for (uint32_t i = 0; i < m->implements_count; i++)
        mod_text_format(t, "  implements %s %u.%u as class %s\n", m->implements[i].iid,
                        m->implements[i].major, m->implements[i].minor, m->implements[i].clsid);
}
