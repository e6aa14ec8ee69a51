/* manifest_print.c — a manifest written back in canonical form (see
 * mod_manifest_print() in manifest.h).
 *
 * Canonical means: directives in the order the grammar lists them, `state`
 * always present, one space between words, two spaces of indent in blocks,
 * a blank line before each block, lock sets and defined classes sorted by
 * name, everything else in the order it was declared. What the printer
 * writes depends only on what the manifest means, so two manifests are
 * equal exactly when their canonical texts are.
 */
#include "modload/contract/manifest.h"
#include "modload/contract/text.h"
#include "modload/contract/manifest_devices.h"
#include <string.h>

/* Index of the class of @set whose name sorts first; 32 if none (bits
 * beyond lock_name_count name nothing). */
static uint32_t first_by_name(const struct mod_manifest *m, mod_lock_set set)
{
    uint32_t first = 32;
    for (uint32_t i = 0; i < m->lock_name_count && i < 32; i++)
        if ((set & (1u << i)) &&
            (first == 32 || strcmp(m->lock_names[i], m->lock_names[first]) < 0))
            first = i;
    return first;
}

/* The classes of @set, sorted by name, each preceded by a space. */
static void print_lock_set(struct mod_text *text, const struct mod_manifest *m, mod_lock_set set)
{
    for (uint32_t i = first_by_name(m, set); i < 32; i = first_by_name(m, set)) {
        mod_text_format(text, " %s", m->lock_names[i]);
        set &= ~(1u << i);
    }
}

/* kind: "export", "import" or "method" (a method prints as an export). */
void mod_manifest_print_contract(struct mod_text *text, const struct mod_manifest *m,
                                 const struct mod_contract *c, const char *kind)
{
    bool is_export = kind[0] != 'i';
    mod_text_format(text, "\n%s %s {\n", kind, c->symbol);
    mod_text_format(text, "  context %s\n", mod_context_name(c->context));
    mod_text_format(text, "  sleeps %s\n", mod_sleeps_name(c->sleeps));
    mod_text_format(text, "  reentrant %s\n", c->reentrant ? "yes" : "no");
    mod_text_format(text, "  user-callable %s\n", c->user_callable ? "yes" : "no");
    mod_text_format(text, "  update %s\n", mod_update_policy_name(c->update));
    if (is_export && c->acquires) {
        mod_text_string(text, "  acquires");
        print_lock_set(text, m, c->acquires);
        mod_text_char(text, '\n');
    }
    if (is_export && c->caller_holds) {
        mod_text_string(text, "  caller-holds");
        print_lock_set(text, m, c->caller_holds);
        mod_text_char(text, '\n');
    }
    if (is_export && c->runs == MOD_RUNS_USER)
        mod_text_string(text, "  runs user\n");
    if (is_export && c->prototype[0])
        mod_text_format(text, "  prototype %s\n", c->prototype);
    if (!is_export && c->holds) {
        mod_text_string(text, "  holds");
        print_lock_set(text, m, c->holds);
        mod_text_char(text, '\n');
    }
    mod_text_string(text, "}\n");
}

size_t mod_manifest_print(const struct mod_manifest *m, char *out, size_t size)
{
    struct mod_text text;
    mod_text_start(&text, out, size);
    mod_text_format(&text, "module %s\n", m->name);
    mod_text_format(&text, "version %u.%u\n", m->version_major, m->version_minor);
    if (m->state_version)
        mod_text_format(&text, "state %u\n", m->state_version);
    else
        mod_text_string(&text, "state none\n");
    if (m->transfer_count) {
        mod_text_string(&text, "transfer-from");
        for (uint32_t i = 0; i < m->transfer_count && i < MOD_MANIFEST_MAX_TRANSFER; i++)
            mod_text_format(&text, " %u", m->transfer_from[i]);
        mod_text_char(&text, '\n');
    }
    mod_lock_set defines = m->defines;
    for (uint32_t i = first_by_name(m, defines); i < 32; i = first_by_name(m, defines)) {
        mod_text_format(&text, "lock %s\n", m->lock_names[i]);
        defines &= ~(1u << i);
    }
    for (uint32_t i = 0; i < m->order_count && i < MOD_MANIFEST_MAX_ORDERS; i++)
        mod_text_format(&text, "order %s < %s\n", m->lock_names[m->orders[i].before],
                        m->lock_names[m->orders[i].after]);
    for (uint32_t i = 0; i < m->export_count && i < MOD_MANIFEST_MAX_EXPORTS; i++)
        mod_manifest_print_contract(&text, m, &m->exports[i], "export");
    for (uint32_t i = 0; i < m->import_count && i < MOD_MANIFEST_MAX_IMPORTS; i++)
        mod_manifest_print_contract(&text, m, &m->imports[i], "import");
    mod_manifest_print_devices(&text, m);
    return mod_text_finish(&text);
}
