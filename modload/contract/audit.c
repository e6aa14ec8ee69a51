/* audit.c — auditing modules against their manifests (see audit.h).
 *
 * The object audit reads the call graph from relocations: with
 * -ffunction-sections every function has its own .text.NAME section, and
 * each relocation in .rela.text.NAME names something NAME refers to. Any
 * reference from code to a function counts as a call (a function whose
 * address is taken is assumed called), and a call through a pointer is not
 * seen. Lock classes are found from writable data: a data object with a
 * relocation to a string of the form MODULE.NAME (the name MUTEX_INIT or
 * SPINLOCK_INIT stores) is a lock of that class; a class given at run time
 * (mutex_init from code) is not seen. A function takes a class when it
 * refers to such a lock object and calls a lock-taking function.
 */
#include "modload/contract/audit.h"
#include "modload/contract/audit_sink.h"
#include "modload/contract/text.h"
#include <string.h>

/* clang-format off */
static const char *const kind_names[MOD_AUDIT_KIND_COUNT] = {
    [MOD_AUDIT_MANIFEST] = "manifest",
    [MOD_AUDIT_MODULE_NAME] = "module name",
    [MOD_AUDIT_EXPORTS] = "exports",
    [MOD_AUDIT_UNDECLARED_IMPORT] = "undeclared import",
    [MOD_AUDIT_CONTRACT] = "contract",
    [MOD_AUDIT_USER_CALLABLE] = "user-callable",
    [MOD_AUDIT_SLEEP_PATH] = "sleep path",
    [MOD_AUDIT_LOCK_CLASS] = "lock class",
    [MOD_AUDIT_ACQUIRES] = "acquires",
    [MOD_AUDIT_CLAIMS] = "claims",
    [MOD_AUDIT_INTERFACE] = "interface",
};
/* clang-format on */

/* The functions that take the lock they are given. */
static const char *const lock_functions[] = {
    "mutex_lock",
    "mutex_trylock",
    "lockdep_acquire",
    "lockdep_acquired_try",
};

const char *mod_audit_kind_name(enum mod_audit_kind kind)
{
    if ((unsigned)kind >= MOD_AUDIT_KIND_COUNT || !kind_names[kind])
        return "unknown finding";
    return kind_names[kind];
}

void mod_audit_emit(struct mod_audit_sink *sink, enum mod_audit_kind kind, const char *format, ...)
{
    struct mod_audit_finding f = { .kind = kind };
    struct mod_text text;
    va_list ap;
    mod_text_start(&text, f.message, sizeof(f.message));
    va_start(ap, format);
    mod_text_vformat(&text, format, ap);
    va_end(ap);
    mod_text_finish(&text);
    sink->count++;
    if (sink->report)
        sink->report(sink->context, &f);
}

/* ------------------------------------------------------------ the table */

static void pad(struct mod_text *t, const char *s, size_t width)
{
    mod_text_string(t, s);
    for (size_t n = strlen(s); n < width; n++)
        mod_text_char(t, ' ');
}

static void lock_list(struct mod_text *t, const struct mod_manifest *m, mod_lock_set set,
                      const char *label)
{
    if (!set)
        return;
    mod_text_format(t, " %s", label);
    for (uint32_t i = 0; i < m->lock_name_count; i++)
        if (set & (1u << i))
            mod_text_format(t, " %s", m->lock_names[i]);
}

static void contract_row(struct mod_text *t, const struct mod_manifest *m,
                         const struct mod_contract *c, const char *direction)
{
    mod_text_string(t, "  ");
    pad(t, direction, 7);
    pad(t, c->symbol, 24);
    pad(t, mod_context_name(c->context), 10);
    pad(t, mod_sleeps_name(c->sleeps), 7);
    pad(t, c->reentrant ? "yes" : "no", 6);
    pad(t, c->user_callable ? "yes" : "no", 5);
    if (c->acquires | c->caller_holds | c->holds)
        pad(t, mod_update_policy_name(c->update), 11);
    else
        mod_text_string(t, mod_update_policy_name(c->update));
    lock_list(t, m, c->acquires, "acquires");
    lock_list(t, m, c->caller_holds, "caller-holds");
    lock_list(t, m, c->holds, "holds");
    mod_text_char(t, '\n');
}

size_t mod_audit_table(const struct mod_manifest *m, char *out, size_t size)
{
    struct mod_text t;
    mod_text_start(&t, out, size);
    mod_text_format(&t, "module %s %u.%u  state ", m->name, m->version_major, m->version_minor);
    if (m->state_version)
        mod_text_unsigned(&t, m->state_version);
    else
        mod_text_string(&t, "none");
    if (m->transfer_count) {
        mod_text_string(&t, "  transfer-from");
        for (uint32_t i = 0; i < m->transfer_count; i++)
            mod_text_format(&t, " %u", m->transfer_from[i]);
    }
    lock_list(&t, m, m->defines, "  locks");
    mod_text_char(&t, '\n');
    mod_audit_table_devices(&t, m);
    for (uint32_t i = 0; i < m->order_count; i++)
        mod_text_format(&t, "  order %s < %s\n", m->lock_names[m->orders[i].before],
                        m->lock_names[m->orders[i].after]);
    mod_text_string(&t, "  ");
    pad(&t, "", 7);
    pad(&t, "symbol", 24);
    pad(&t, "context", 10);
    pad(&t, "sleeps", 7);
    pad(&t, "reent", 6);
    pad(&t, "user", 5);
    pad(&t, "update", 10);
    mod_text_string(&t, " locks\n");
    for (uint32_t i = 0; i < m->export_count; i++)
        contract_row(&t, m, &m->exports[i], "export");
    for (uint32_t i = 0; i < m->import_count; i++)
        contract_row(&t, m, &m->imports[i], "import");
    return mod_text_finish(&t);
}

/* ------------------------------------------------------------ the set */

static void set_finding(void *context, const struct mod_contract_result *r)
{
    mod_audit_emit(context, MOD_AUDIT_CONTRACT, "%s", r->message);
}

size_t mod_audit_set(const struct mod_manifest *const *manifests, size_t count,
                     struct mod_lock_order *scratch, mod_audit_report_fn report, void *context)
{
    struct mod_audit_sink sink = { report, context, 0 };
    mod_contract_check_set(manifests, count, scratch, set_finding, &sink);
    for (size_t i = 0; i < count; i++)
        for (uint32_t e = 0; e < manifests[i]->export_count; e++) {
            const struct mod_contract *c = &manifests[i]->exports[e];
            if (c->user_callable && !c->reentrant)
                mod_audit_emit(
                    &sink, MOD_AUDIT_USER_CALLABLE,
                    "module '%s': export '%s' (line %u) is user-callable but not reentrant: "
                    "user threads call it concurrently (make it reentrant, or "
                    "user-callable no)",
                    manifests[i]->name, c->symbol, c->line);
        }
    return sink.count + mod_audit_devices(manifests, count, report, context);
}

/* ------------------------------------------------------------ the object */

struct object {
    const struct mod_elf *elf;
    const struct mod_manifest *m;
    const struct mod_manifest *const *providers;
    size_t provider_count;
    struct mod_audit_scratch *s;
    struct mod_audit_sink *sink;
    uint32_t class_section[32]; /* where each class was found */
};

#define SHF_STRINGS_FLAG 0x20u

static uint32_t rela_count(const struct mod_elf *elf, uint32_t rela)
{
    struct elf64_section sh;
    mod_elf_section(elf, rela, &sh);
    return (uint32_t)(sh.size / ELF_RELA_SIZE);
}

static void rela_entry(const struct mod_elf *elf, uint32_t rela, uint32_t i, struct elf64_rela *out)
{
    memcpy(out, mod_elf_section_data(elf, rela) + (size_t)i * ELF_RELA_SIZE, sizeof(*out));
}

static bool symbol_ok(const struct mod_elf *elf, uint32_t index, struct elf64_symbol *es)
{
    if (index == 0 || index >= elf->symbol_count)
        return false;
    mod_elf_symbol(elf, index, es);
    return true;
}

/* MODULE "." SYMBOL, as the grammar names a class. */
static bool class_shaped(const char *s, size_t n)
{
    size_t dot = 0;
    if (n == 0 || n > MOD_MANIFEST_NAME_MAX || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        bool word =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (c == '.' && !dot && i + 1 < n && !(s[i + 1] >= '0' && s[i + 1] <= '9'))
            dot = i;
        else if (!word && !(c == '-' && !dot))
            return false;
    }
    return dot != 0;
}

/* The class name a data relocation points to, or -1. */
static int class_of_target(struct object *o, const struct elf64_rela *r, uint32_t data_section)
{
    struct elf64_symbol es;
    struct elf64_section sh;
    if (!symbol_ok(o->elf, ELF_RELA_SYMBOL(r->info), &es) || es.shndx == SHN_UNDEF ||
        es.shndx >= o->elf->section_count)
        return -1;
    mod_elf_section(o->elf, es.shndx, &sh);
    const char *name = mod_elf_section_name(o->elf, es.shndx);
    const uint8_t *data = mod_elf_section_data(o->elf, es.shndx);
    if (!data || !(sh.flags & SHF_STRINGS_FLAG || (name && strncmp(name, ".rodata.str", 11) == 0)))
        return -1;
    uint64_t offset = es.value + (uint64_t)r->addend;
    if (offset >= sh.size)
        return -1;
    const char *str = (const char *)data + offset;
    size_t n = strnlen(str, sh.size - offset);
    if (n == sh.size - offset || !class_shaped(str, n))
        return -1;
    struct mod_audit_scratch *s = o->s;
    for (uint32_t i = 0; i < s->class_count; i++)
        if (strcmp(s->classes[i], str) == 0)
            return (int)i;
    if (s->class_count == 32)
        return -1;
    memcpy(s->classes[s->class_count], str, n + 1);
    o->class_section[s->class_count] = data_section;
    return (int)s->class_count++;
}

static void index_object(struct object *o)
{
    const struct mod_elf *elf = o->elf;
    struct mod_audit_scratch *s = o->s;
    uint32_t sections =
        elf->section_count < MOD_AUDIT_MAX_SECTIONS ? elf->section_count : MOD_AUDIT_MAX_SECTIONS;
    memset(s->rela_of, 0, sizeof(s->rela_of));
    memset(s->function_of, 0, sizeof(s->function_of));
    s->class_count = 0;
    for (uint32_t i = 0; i < MOD_AUDIT_MAX_SECTIONS; i++)
        s->class_of[i] = -1;
    for (uint32_t i = 1; i < sections; i++) {
        struct elf64_section sh;
        mod_elf_section(elf, i, &sh);
        if (sh.type == SHT_RELA && sh.info < MOD_AUDIT_MAX_SECTIONS)
            s->rela_of[sh.info] = i;
    }
    for (uint32_t i = 1; i < elf->symbol_count; i++) {
        struct elf64_symbol es;
        mod_elf_symbol(elf, i, &es);
        if (ELF_SYMBOL_TYPE(es.info) == STT_FUNC && es.shndx != SHN_UNDEF && es.shndx < sections &&
            es.value == 0 && !s->function_of[es.shndx])
            s->function_of[es.shndx] = i;
    }
    for (uint32_t i = 1; i < sections; i++) {
        struct elf64_section sh;
        mod_elf_section(elf, i, &sh);
        if ((sh.flags & (SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR)) != (SHF_ALLOC | SHF_WRITE) ||
            !s->rela_of[i])
            continue;
        for (uint32_t k = 0; k < rela_count(elf, s->rela_of[i]); k++) {
            struct elf64_rela r;
            rela_entry(elf, s->rela_of[i], k, &r);
            int c = class_of_target(o, &r, i);
            if (c >= 0 && s->class_of[i] < 0)
                s->class_of[i] = (int16_t)c;
        }
    }
}

/* What a relocation in code refers to: a function of the module or an
 * import (its symbol index, a node of the call graph), else 0. */
static uint32_t call_target(const struct object *o, uint32_t index)
{
    struct elf64_symbol es;
    if (!symbol_ok(o->elf, index, &es))
        return 0;
    if (mod_elf_symbol_is_import(o->elf, index))
        return index;
    if (es.shndx == SHN_UNDEF || es.shndx >= MOD_AUDIT_MAX_SECTIONS ||
        es.shndx >= o->elf->section_count)
        return 0;
    if (ELF_SYMBOL_TYPE(es.info) == STT_FUNC)
        return index;
    if (ELF_SYMBOL_TYPE(es.info) == STT_SECTION)
        return o->s->function_of[es.shndx];
    return 0;
}

/* Lock class of the data a relocation refers to, or -1. */
static int lock_target(const struct object *o, uint32_t index)
{
    struct elf64_symbol es;
    if (!symbol_ok(o->elf, index, &es) || es.shndx == SHN_UNDEF ||
        es.shndx >= MOD_AUDIT_MAX_SECTIONS)
        return -1;
    return o->s->class_of[es.shndx];
}

static uint32_t code_rela(const struct object *o, uint32_t function)
{
    struct elf64_symbol es;
    if (!symbol_ok(o->elf, function, &es) || es.shndx == SHN_UNDEF ||
        es.shndx >= MOD_AUDIT_MAX_SECTIONS)
        return 0;
    return o->s->rela_of[es.shndx];
}

/* Marks everything reachable from @root in parent[] (parent + 1). */
static void search(struct object *o, uint32_t root)
{
    struct mod_audit_scratch *s = o->s;
    uint32_t head = 0, tail = 0;
    memset(s->parent, 0, sizeof(s->parent));
    s->parent[root] = root + 1;
    s->queue[tail++] = root;
    while (head < tail) {
        uint32_t f = s->queue[head++];
        uint32_t rela = mod_elf_symbol_is_import(o->elf, f) ? 0 : code_rela(o, f);
        for (uint32_t k = 0; rela && k < rela_count(o->elf, rela); k++) {
            struct elf64_rela r;
            rela_entry(o->elf, rela, k, &r);
            uint32_t t = call_target(o, ELF_RELA_SYMBOL(r.info));
            if (t && t < MOD_AUDIT_MAX_SYMBOLS && !s->parent[t] && tail < MOD_AUDIT_MAX_SYMBOLS) {
                s->parent[t] = f + 1;
                s->queue[tail++] = t;
            }
        }
    }
}

/* "root -> f -> g" for the search tree's path to @node. */
static void path(const struct object *o, uint32_t node, struct mod_text *t)
{
    uint32_t chain[16], n = 0;
    for (uint32_t x = node; n < 16; x = o->s->parent[x] - 1) {
        chain[n++] = x;
        if (o->s->parent[x] - 1 == x)
            break;
    }
    while (n--)
        mod_text_format(t, n ? "%s -> " : "%s", mod_elf_symbol_name(o->elf, chain[n]));
}

static const struct mod_contract *provided(const struct object *o, const char *symbol,
                                           const char **by)
{
    for (size_t i = 0; i < o->provider_count; i++) {
        int e = mod_manifest_find_export(o->providers[i], symbol);
        if (e >= 0 && o->providers[i] != o->m) {
            *by = o->providers[i]->name;
            return &o->providers[i]->exports[e];
        }
    }
    return NULL;
}

static void report_path(struct object *o, enum mod_audit_kind kind, const struct mod_contract *e,
                        uint32_t node, const char *what)
{
    char chain[256];
    struct mod_text t;
    mod_text_start(&t, chain, sizeof(chain));
    path(o, node, &t);
    mod_text_finish(&t);
    mod_audit_emit(o->sink, kind, "module '%s': export '%s' (context %s, sleeps %s) %s: %s",
                   o->m->name, e->symbol, mod_context_name(e->context), mod_sleeps_name(e->sleeps),
                   what, chain);
}

/* A non-sleeping or interrupt-safe export must reach nothing declared
 * `sleeps may`: neither an import (by its provider's contract) nor one of
 * the module's own exports. */
static void check_sleep_paths(struct object *o, const struct mod_contract *e)
{
    char what[192];
    struct mod_text t;
    for (uint32_t n = 1; n < o->elf->symbol_count && n < MOD_AUDIT_MAX_SYMBOLS; n++) {
        if (!o->s->parent[n] || o->s->parent[n] - 1 == n)
            continue;
        const char *name = mod_elf_symbol_name(o->elf, n), *by = o->m->name;
        const struct mod_contract *callee = NULL;
        if (mod_elf_symbol_is_import(o->elf, n)) {
            callee = provided(o, name, &by);
        } else {
            int i = mod_manifest_find_export(o->m, name);
            callee = i >= 0 ? &o->m->exports[i] : NULL;
        }
        if (!callee || callee->sleeps != MOD_SLEEPS_MAY)
            continue;
        mod_text_start(&t, what, sizeof(what));
        mod_text_format(&t, "reaches '%s', declared sleeps may by '%s'", name, by);
        mod_text_finish(&t);
        report_path(o, MOD_AUDIT_SLEEP_PATH, e, n, what);
    }
}

static bool calls_lock_function(const struct object *o, uint32_t f)
{
    uint32_t rela = code_rela(o, f);
    for (uint32_t k = 0; rela && k < rela_count(o->elf, rela); k++) {
        struct elf64_rela r;
        rela_entry(o->elf, rela, k, &r);
        uint32_t t = ELF_RELA_SYMBOL(r.info);
        if (!mod_elf_symbol_is_import(o->elf, t))
            continue;
        for (size_t i = 0; i < sizeof(lock_functions) / sizeof(lock_functions[0]); i++)
            if (strcmp(mod_elf_symbol_name(o->elf, t), lock_functions[i]) == 0)
                return true;
    }
    return false;
}

/* Every class the export's code takes is in its `acquires`. */
static void check_acquires(struct object *o, const struct mod_contract *e)
{
    uint32_t reported = 0;
    for (uint32_t f = 1; f < o->elf->symbol_count && f < MOD_AUDIT_MAX_SYMBOLS; f++) {
        if (!o->s->parent[f] || mod_elf_symbol_is_import(o->elf, f) || !calls_lock_function(o, f))
            continue;
        uint32_t rela = code_rela(o, f);
        for (uint32_t k = 0; rela && k < rela_count(o->elf, rela); k++) {
            struct elf64_rela r;
            rela_entry(o->elf, rela, k, &r);
            int c = lock_target(o, ELF_RELA_SYMBOL(r.info));
            if (c < 0 || (reported & (1u << c)))
                continue;
            int l = mod_manifest_find_lock(o->m, o->s->classes[c]);
            if (l >= 0 && (e->acquires & (1u << l)))
                continue;
            reported |= 1u << c;
            char what[160];
            struct mod_text t;
            mod_text_start(&t, what, sizeof(what));
            mod_text_format(&t, "takes lock class '%s', which its `acquires` does not list",
                            o->s->classes[c]);
            mod_text_finish(&t);
            report_path(o, MOD_AUDIT_ACQUIRES, e, f, what);
        }
    }
}

static void check_lock_classes(struct object *o)
{
    for (uint32_t c = 0; c < o->s->class_count; c++) {
        const char *class = o->s->classes[c];
        const char *section = mod_elf_section_name(o->elf, o->class_section[c]);
        size_t prefix = (size_t)(strchr(class, '.') - class);
        int l = mod_manifest_find_lock(o->m, class);
        if (strlen(o->m->name) != prefix || strncmp(class, o->m->name, prefix) != 0)
            mod_audit_emit(o->sink, MOD_AUDIT_LOCK_CLASS,
                           "module '%s': the lock in %s has class '%s', named after another module "
                           "(name it '%s.NAME' and declare it with a `lock` line)",
                           o->m->name, section, class, o->m->name);
        else if (l < 0 || !(o->m->defines & (1u << l)))
            mod_audit_emit(
                o->sink, MOD_AUDIT_LOCK_CLASS,
                "module '%s': the lock in %s has class '%s', which the manifest does not "
                "declare (add `lock %s`)",
                o->m->name, section, class, class);
    }
}

static void check_exports(struct object *o)
{
    const char *name;
    for (uint64_t off = 0; mod_elf_next_export(o->elf, &off, &name);)
        if (mod_manifest_find_export(o->m, name) < 0)
            mod_audit_emit(o->sink, MOD_AUDIT_EXPORTS,
                           "module '%s': exports '%s' (WISP_EXPORT) but its manifest declares no "
                           "contract for it (add an `export %s` block)",
                           o->m->name, name, name);
    for (uint32_t i = 0; i < o->m->export_count; i++) {
        bool listed = false;
        for (uint64_t off = 0; !listed && mod_elf_next_export(o->elf, &off, &name);)
            listed = strcmp(name, o->m->exports[i].symbol) == 0;
        if (!listed)
            mod_audit_emit(o->sink, MOD_AUDIT_EXPORTS,
                           "module '%s': the manifest declares export '%s' (line %u) that the code "
                           "does not export (WISP_EXPORT it, or remove the block)",
                           o->m->name, o->m->exports[i].symbol, o->m->exports[i].line);
    }
}

static void check_imports(struct object *o)
{
    for (uint32_t i = 1; i < o->elf->symbol_count; i++) {
        const char *name = mod_elf_symbol_name(o->elf, i);
        if (mod_elf_symbol_is_import(o->elf, i) && mod_manifest_find_import(o->m, name) < 0)
            mod_audit_emit(o->sink, MOD_AUDIT_UNDECLARED_IMPORT,
                           "module '%s': the code calls '%s', which the manifest does not import "
                           "(add an `import %s` block with the contract it relies on)",
                           o->m->name, name, name);
    }
}

size_t mod_audit_declarations(const struct mod_elf *elf, const struct mod_manifest *manifest,
                              mod_audit_report_fn report, void *context)
{
    struct mod_audit_sink sink = { report, context, 0 };
    struct object o = { elf, manifest, NULL, 0, NULL, &sink, { 0 } };
    check_exports(&o);
    check_imports(&o);
    return sink.count;
}

size_t mod_audit_object(const char *name, const struct mod_elf *elf, struct mod_manifest *parsed,
                        const struct mod_manifest *const *providers, size_t provider_count,
                        struct mod_audit_scratch *scratch, mod_audit_report_fn report,
                        void *context)
{
    struct mod_audit_sink sink = { report, context, 0 };
    uint32_t idx = mod_elf_find_section(elf, ".wisp.manifest");
    struct elf64_section sh = { 0 };
    if (idx)
        mod_elf_section(elf, idx, &sh);
    const uint8_t *text = idx ? mod_elf_section_data(elf, idx) : NULL;
    struct mod_manifest_error err;
    if (!text) {
        mod_audit_emit(&sink, MOD_AUDIT_MANIFEST,
                       "module '%s': no manifest (.wisp.manifest section)", name);
        return sink.count;
    }
    char file[MOD_MANIFEST_MODULE_MAX + 16];
    struct mod_text t;
    mod_text_start(&t, file, sizeof(file));
    mod_text_format(&t, "%s/manifest.wisp", name);
    mod_text_finish(&t);
    if (mod_manifest_parse(parsed, text, sh.size, file, &err) != MOD_MANIFEST_OK) {
        mod_audit_emit(&sink, MOD_AUDIT_MANIFEST, "module '%s': %s", name, err.message);
        return sink.count;
    }
    if (strcmp(parsed->name, name) != 0)
        mod_audit_emit(&sink, MOD_AUDIT_MODULE_NAME,
                       "module '%s': its manifest describes module '%s'", name, parsed->name);
    struct object o = { elf, parsed, providers, provider_count, scratch, &sink, { 0 } };
    check_exports(&o);
    check_imports(&o);
    index_object(&o);
    check_lock_classes(&o);
    for (uint32_t i = 0; i < parsed->export_count; i++) {
        const struct mod_contract *e = &parsed->exports[i];
        uint32_t root = mod_elf_find_export(elf, e->symbol);
        if (!root || root >= MOD_AUDIT_MAX_SYMBOLS)
            continue;
        search(&o, root);
        if (e->sleeps == MOD_SLEEPS_NEVER || (e->context & MOD_CONTEXT_INTERRUPT))
            check_sleep_paths(&o, e);
        check_acquires(&o, e);
    }
    return sink.count;
}
