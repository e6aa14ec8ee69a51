/* module_manifest.c — the loader's manifest checks (see module_manifest.h).
 *
 * Every refusal names the module, the symbol and the clause; the loader's
 * all-or-nothing paths then remove what the module had (module.c).
 */
#include "modload/module_manifest.h"
#include <wisp/resource.h>
#include "modload/module.h"
#include "modload/loader.h"
#include "modload/symtab.h"
#include "modload/contract/audit.h"
#include "modload/format/elf.h"
#include "modload/format/image.h"
#include <wisp/boot.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <string.h>

extern const char core_manifest_text[];
extern const uint64_t core_manifest_size;

static struct mod_manifest core_manifest;
static bool core_manifest_ready; /* set once, under the module mutex */

const struct mod_manifest *module_core_manifest(void)
{
    if (!core_manifest_ready) {
        struct mod_manifest_error err;
        if (mod_manifest_parse(&core_manifest, core_manifest_text, core_manifest_size,
                               "kernel/core.wisp", &err) != MOD_MANIFEST_OK)
            panic("core manifest: %s", err.message);
        core_manifest_ready = true;
    }
    return &core_manifest;
}

/* The first finding of the declarations audit becomes the refusal. */
struct refusal {
    struct mod_error *err;
    const char *module;
    bool refused;
};

static void refuse_first(void *context, const struct mod_audit_finding *f)
{
    struct refusal *r = context;
    if (r->refused)
        return;
    r->refused = true;
    mod_fail(r->err, MOD_E_MANIFEST, "module %s: %s (clause '%s')", r->module, f->message,
             f->kind == MOD_AUDIT_EXPORTS ? "exports" : "imports");
}

/* Every export of .wisp.exports is declared and every declared one
 * exported; every import declared: the audit's own checks (audit.h). */
static enum mod_status check_declarations(const char *module, const struct mod_manifest *mf,
                                          const struct mod_elf *elf, struct mod_error *err)
{
    uint32_t count;
    struct mod_error e;
    if (mod_elf_exports_valid(elf, &count, &e) != MOD_OK)
        return mod_fail(err, e.code, "module %s: %s", module, e.message);
    struct refusal r = { err, module, false };
    mod_audit_declarations(elf, mf, refuse_first, &r);
    return r.refused ? MOD_E_MANIFEST : MOD_OK;
}

static enum mod_status parse_manifest(const char *module, const struct mod_elf *elf,
                                      struct mod_manifest *mf, struct mod_error *err)
{
    uint32_t idx = mod_elf_find_section(elf, ".wisp.manifest");
    if (!idx)
        return mod_fail(err, MOD_E_MANIFEST, "module %s: no manifest (.wisp.manifest section)",
                        module);
    struct elf64_section sh;
    mod_elf_section(elf, idx, &sh);
    const uint8_t *text = mod_elf_section_data(elf, idx);
    struct mod_manifest_error perr;
    if (!text || mod_manifest_parse(mf, text, sh.size, "manifest.wisp", &perr) != MOD_MANIFEST_OK)
        return mod_fail(err, MOD_E_MANIFEST, "module %s: %s", module,
                        text ? perr.message : "empty manifest section");
    if (strcmp(mf->name, module) != 0)
        return mod_fail(err, MOD_E_MANIFEST,
                        "module %s: its manifest describes module '%s' (clause 'module name')",
                        module, mf->name);
    return check_declarations(module, mf, elf, err);
}

enum mod_status module_manifest_read(const char *module, const struct mod_elf *elf,
                                     struct mod_manifest **out, struct mod_error *err)
{
    struct mod_manifest *mf = kmalloc(sizeof(*mf));
    if (!mf)
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory for its manifest", module);
    enum mod_status st = parse_manifest(module, elf, mf, err);
    if (st != MOD_OK) {
        kfree(mf);
        return st;
    }
    *out = mf;
    return MOD_OK;
}

/* The manifest that promises @name's contract: its owner's, or the core's. */
static const struct mod_manifest *provider_of(const char *name)
{
    rcu_read_lock();
    struct symbol *s = sym_lookup(name);
    const struct mod_manifest *mf = NULL;
    if (s)
        mf = s->owner ? s->owner->manifest : module_core_manifest();
    rcu_read_unlock();
    return mf;
}

static enum mod_status contract_fail(const struct module *m, struct mod_error *err,
                                     const struct mod_contract_result *r)
{
    (void)m; /* r->message names the module */
    return mod_fail(err, MOD_E_CONTRACT, "%s", r->message);
}

enum mod_status module_manifest_check_imports(struct module *m, const struct mod_elf *elf,
                                              const struct mod_manifest *const *loaded,
                                              size_t loaded_count, struct mod_error *err)
{
    enum mod_status st = MOD_OK;
    struct mod_contract_result r;
    struct mod_lock_order *order = kmalloc(sizeof(*order));
    if (!order)
        return mod_fail(err, MOD_E_NO_MEMORY, "module %s: out of memory for the lock order",
                        m->name);
    mod_lock_order_init(order);
    for (size_t i = 0; i < loaded_count && st == MOD_OK; i++)
        if (mod_lock_order_add(order, loaded[i], &r) != MOD_CLAUSE_OK)
            st = contract_fail(m, err, &r);
    if (st == MOD_OK && (mod_lock_order_add(order, m->manifest, &r) != MOD_CLAUSE_OK ||
                         mod_lock_order_check(order, &r) != MOD_CLAUSE_OK))
        st = contract_fail(m, err, &r);
    for (uint32_t i = 1; i < elf->symbol_count && st == MOD_OK; i++) {
        if (!mod_elf_symbol_is_import(elf, i))
            continue;
        const char *name = mod_elf_symbol_name(elf, i);
        const struct mod_manifest *provider = provider_of(name);
        const struct mod_contract *import =
            &m->manifest->imports[mod_manifest_find_import(m->manifest, name)];
        int e = provider ? mod_manifest_find_export(provider, name) : -1;
        if (e < 0)
            st = mod_fail(err, MOD_E_CONTRACT,
                          "module %s: import '%s': %s '%s' declares no contract for it "
                          "(clause 'missing export')",
                          m->name, name, provider ? "manifest of" : "no provider",
                          provider ? provider->name : "");
        else if (mod_contract_check_import(m->manifest, import, provider, &provider->exports[e],
                                           order, &r) != MOD_CLAUSE_OK)
            st = contract_fail(m, err, &r);
    }
    kfree(order);
    return st;
}

/* ---- the console's audit -------------------------------------------------- */

struct audit_copy {
    struct mod_manifest *manifests; /* copies: a module may unload meanwhile */
    size_t count, capacity;
};

static void count_module(const struct module *m, void *arg)
{
    *(size_t *)arg += m->state == MODULE_LIVE && m->manifest;
}

static void copy_manifest(const struct module *m, void *arg)
{
    struct audit_copy *c = arg;
    if (m->state == MODULE_LIVE && m->manifest && c->count < c->capacity)
        c->manifests[c->count++] = *m->manifest;
}

/* kprintf formats into a bounded buffer: print a long text line by line. */
static void print_lines(char *text)
{
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (!end) {
            kprintf("%s\n", line);
            return;
        }
        *end = '\0';
        kprintf("%s\n", line);
    }
}

static void print_finding(void *context, const struct mod_audit_finding *f)
{
    (void)context;
    kprintf("  %s: %s\n", mod_audit_kind_name(f->kind), f->message);
}

/* The module's signed object in the image GRUB loaded (verified at boot),
 * if its running version came from there (a pushed version is not kept). */
static bool image_object(const char *name, uint32_t version, struct mod_elf *elf)
{
    struct mod_image_section s;
    return boot_image_module(name, &s, NULL) == MOD_OK && s.version == version &&
           mod_elf_parse(elf, s.content, s.size, NULL) == MOD_OK;
}

/* The code-against-manifest half of the audit (modload/audit.c, the same
 * checks as the host's wisp-audit), on the running module's own object. */
static size_t audit_code(const char *name, const struct mod_manifest *const *providers,
                         size_t provider_count)
{
    struct module *m = module_find(name);
    struct mod_elf elf;
    if (!m || !image_object(name, m->version, &elf)) {
        kprintf("code check of %s: its object is not in the boot image (pushed?)\n", name);
        return 0;
    }
    struct mod_audit_scratch *scratch = kmalloc(sizeof(*scratch));
    struct mod_manifest *parsed = kmalloc(sizeof(*parsed));
    size_t findings = 0;
    if (scratch && parsed) {
        findings = mod_audit_object(name, &elf, parsed, providers, provider_count, scratch,
                                    print_finding, NULL);
        kprintf("code check of %s: %s\n", name,
                findings ? "findings above" : "matches the manifest");
    } else {
        kprintf("code check of %s: out of memory\n", name);
    }
    kfree(parsed);
    kfree(scratch);
    return findings;
}

size_t module_audit_print(void)
{
    enum { TABLE_SIZE = 8192 };
    struct audit_copy c = { 0 };
    module_for_each(count_module, &c.capacity);
    c.manifests = kmalloc(sizeof(*c.manifests) * (c.capacity + 1));
    const struct mod_manifest **set = kmalloc(sizeof(*set) * (c.capacity + 2));
    struct mod_lock_order *order = kmalloc(sizeof(*order));
    char *table = kmalloc(TABLE_SIZE);
    size_t findings = 0;
    if (!c.manifests || !set || !order || !table) {
        kprintf("audit: out of memory\n");
        goto out;
    }
    module_for_each(copy_manifest, &c);
    set[0] = module_core_manifest();
    for (size_t i = 0; i < c.count; i++) {
        set[i + 1] = &c.manifests[i];
        if (mod_audit_table(&c.manifests[i], table, TABLE_SIZE) >= TABLE_SIZE)
            kprintf("(table of %s cut at %u bytes)\n", c.manifests[i].name, TABLE_SIZE);
        print_lines(table);
        kprintf("\n");
    }
    kprintf("set check over %u modules and the core:\n", (unsigned)c.count);
    findings = mod_audit_set(set, c.count + 1, order, print_finding, NULL);
    for (size_t i = 0; i < c.count; i++)
        findings += audit_code(c.manifests[i].name, set, c.count + 1);
    findings += resource_audit_print(); /* claims refused outside a manifest */
    if (findings)
        kprintf("%u findings\n", (unsigned)findings);
    else
        kprintf("no findings\n");
out:
    kfree(table);
    kfree(order);
    kfree(set);
    kfree(c.manifests);
    return findings;
}
