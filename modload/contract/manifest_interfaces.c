/* manifest_interfaces.c — interface lines of the manifest parser
 * (MODULES.md, "Devices, resources and interfaces"):
 *
 *   interface IID MAJOR.MINOR    the module defines interface IID
 *   method NAME {                a method of the interface named last: a
 *       context ...              block with the five required fields of
 *       ...                      an export (context, sleeps, reentrant,
 *   }                            user-callable, update)
 *   implements IID MAJOR.MINOR CLSID
 *                                class CLSID implements IID: method M is
 *                                the module's export CLSID_M
 *
 * The kernel registers definitions and classes when the module loads
 * (kernel/dev/interface_load.c); an implementation of a version the
 * registry does not have is refused there.
 */
#include "modload/contract/manifest_parser.h"
#include "modload/contract/manifest_devices.h"
#include "modload/contract/text.h"
#include <string.h>

static bool is_iid(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok || (c == '.' && (i + 1 == n || s[i + 1] == '.')))
            return false;
    }
    return true;
}

static void copy_word(char *out, const struct mod_manifest_word *w)
{
    memcpy(out, w->start, w->length);
    out[w->length] = '\0';
}

int mod_manifest_find_interface(const struct mod_manifest *m, const char *iid)
{
    for (uint32_t i = 0; i < m->interface_count; i++)
        if (strcmp(m->interfaces[i].iid, iid) == 0)
            return (int)i;
    return -1;
}

static int find_class(const struct mod_manifest *m, const char *clsid)
{
    for (uint32_t i = 0; i < m->implements_count; i++)
        if (strcmp(m->implements[i].clsid, clsid) == 0)
            return (int)i;
    return -1;
}

bool mod_method_export_name(const char *clsid, const char *method, char *out, size_t size)
{
    size_t a = strlen(clsid), b = strlen(method);
    if (a + 1 + b + 1 > size)
        return false;
    memcpy(out, clsid, a);
    out[a] = '_';
    memcpy(out + a + 1, method, b);
    out[a + 1 + b] = '\0';
    return true;
}

/* The head `DIRECTIVE IID MAJOR.MINOR ...` shared by `interface` and
 * `implements`: the interface name, the word count (WORDS after the
 * directive, described by WHAT) and the version. */
static enum mod_manifest_status parse_iid_version(struct mod_manifest_parser *p, uint32_t words,
                                                  const char *what, uint16_t *major,
                                                  uint16_t *minor)
{
    enum mod_manifest_status status;
    if (p->word_count >= 2) {
        status = mod_parser_check_name(p, 1, "interface name", MOD_MANIFEST_IID_MAX, is_iid);
        if (status)
            return status;
    }
    status = mod_parser_expect_words(p, words, what);
    if (status)
        return status;
    if (!mod_parser_version(&p->words[2], major, minor))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2,
                         "expected MAJOR.MINOR (each 0..65535) after '%w %w', found '%w'",
                         WORD(p, 0), WORD(p, 1), WORD(p, 2));
    return MOD_MANIFEST_OK;
}

/* `interface IID MAJOR.MINOR` */
enum mod_manifest_status mod_parser_interface(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    struct mod_interface_decl d = { .line = p->line, .first_method = m->method_count };
    enum mod_manifest_status status =
        parse_iid_version(p, 2, "an interface name and MAJOR.MINOR", &d.major, &d.minor);
    if (status)
        return status;
    copy_word(d.iid, &p->words[1]);
    int twice = mod_manifest_find_interface(m, d.iid);
    if (twice >= 0)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 1,
                         "interface '%s' defined twice (first on line %u)", d.iid,
                         m->interfaces[twice].line);
    if (m->interface_count == MOD_MANIFEST_MAX_INTERFACES)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, 0, "more than %u 'interface' lines",
                         MOD_MANIFEST_MAX_INTERFACES);
    m->interfaces[m->interface_count++] = d;
    return MOD_MANIFEST_OK;
}

/* `method NAME {`: a contract block of the interface defined last. */
enum mod_manifest_status mod_parser_method(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    enum mod_manifest_status status;
    if (!m->interface_count)
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 0,
                         "'method' needs an 'interface IID MAJOR.MINOR' line before it");
    struct mod_interface_decl *iface = &m->interfaces[m->interface_count - 1];
    if (p->word_count >= 2 && !mod_parser_word_is(&p->words[1], "{")) {
        status = mod_parser_check_name(p, 1, "method name", MOD_MANIFEST_NAME_MAX,
                                       mod_parser_is_identifier);
        if (status)
            return status;
    }
    status = mod_parser_expect_words(p, 2, "a method name and '{'");
    if (status)
        return status;
    if (!mod_parser_word_is(&p->words[2], "{"))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2, "expected '{' after 'method %w', found '%w'",
                         WORD(p, 1), WORD(p, 2));
    char name[MOD_MANIFEST_NAME_SIZE];
    copy_word(name, &p->words[1]);
    for (uint32_t i = iface->first_method; i < m->method_count; i++)
        if (strcmp(m->methods[i].symbol, name) == 0)
            return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 1,
                             "method '%s' of interface '%s' declared twice (first on line %u)",
                             name, iface->iid, m->methods[i].line);
    if (m->method_count == MOD_MANIFEST_MAX_METHODS)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, 0, "more than %u methods",
                         MOD_MANIFEST_MAX_METHODS);
    p->block = &m->methods[m->method_count++];
    iface->method_count++;
    memset(p->block, 0, sizeof(*p->block));
    memcpy(p->block->symbol, name, sizeof(name));
    p->block->line = p->line;
    p->block_kind = "method";
    p->fields_seen = 0;
    return MOD_MANIFEST_OK;
}

/* `implements IID MAJOR.MINOR CLSID` */
enum mod_manifest_status mod_parser_implements(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    struct mod_implements_decl d = { .line = p->line };
    enum mod_manifest_status status = parse_iid_version(
        p, 3, "an interface name, MAJOR.MINOR and a class name", &d.major, &d.minor);
    if (status)
        return status;
    status =
        mod_parser_check_name(p, 3, "class name", MOD_MANIFEST_CLSID_MAX, mod_parser_is_identifier);
    if (status)
        return status;
    copy_word(d.iid, &p->words[1]);
    copy_word(d.clsid, &p->words[3]);
    int twice = find_class(m, d.clsid);
    if (twice >= 0)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 3,
                         "class '%s' declared twice (first on line %u)", d.clsid,
                         m->implements[twice].line);
    if (m->implements_count == MOD_MANIFEST_MAX_IMPLEMENTS)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, 0, "more than %u 'implements' lines",
                         MOD_MANIFEST_MAX_IMPLEMENTS);
    m->implements[m->implements_count++] = d;
    return MOD_MANIFEST_OK;
}

/* At the end: every interface has a method; a class implementing an
 * interface this manifest defines names its version and exports each
 * method as CLSID_METHOD. */
enum mod_manifest_status mod_parser_finish_interfaces(struct mod_manifest_parser *p)
{
    const struct mod_manifest *m = p->manifest;
    for (uint32_t i = 0; i < m->interface_count; i++)
        if (!m->interfaces[i].method_count)
            return mod_parser_fail(p, MOD_MANIFEST_E_MISSING, m->interfaces[i].line, 0,
                                   "interface '%s' declares no method", m->interfaces[i].iid);
    for (uint32_t k = 0; k < m->implements_count; k++) {
        const struct mod_implements_decl *d = &m->implements[k];
        int i = mod_manifest_find_interface(m, d->iid);
        if (i < 0)
            continue; /* defined by another module: checked at load */
        const struct mod_interface_decl *iface = &m->interfaces[i];
        if (iface->major != d->major || iface->minor != d->minor)
            return mod_parser_fail(p, MOD_MANIFEST_E_CONFLICT, d->line, 0,
                                   "class '%s' implements '%s' %u.%u, this manifest defines "
                                   "%u.%u (line %u)",
                                   d->clsid, d->iid, d->major, d->minor, iface->major, iface->minor,
                                   iface->line);
        for (uint32_t j = 0; j < iface->method_count; j++) {
            char name[MOD_MANIFEST_NAME_SIZE];
            const char *method = m->methods[iface->first_method + j].symbol;
            if (!mod_method_export_name(d->clsid, method, name, sizeof(name)) ||
                mod_manifest_find_export(m, name) < 0)
                return mod_parser_fail(p, MOD_MANIFEST_E_MISSING, d->line, 0,
                                       "class '%s' implements '%s' but exports no '%s_%s' for "
                                       "its method '%s'",
                                       d->clsid, d->iid, d->clsid, method, method);
        }
    }
    return MOD_MANIFEST_OK;
}

void mod_manifest_print_devices(struct mod_text *text, const struct mod_manifest *m)
{
    if (m->claim_count)
        mod_text_char(text, '\n');
    mod_manifest_print_claims(text, m);
    for (uint32_t i = 0; i < m->interface_count && i < MOD_MANIFEST_MAX_INTERFACES; i++) {
        const struct mod_interface_decl *d = &m->interfaces[i];
        mod_text_format(text, "\ninterface %s %u.%u\n", d->iid, d->major, d->minor);
        for (uint32_t j = 0; j < d->method_count && d->first_method + j < MOD_MANIFEST_MAX_METHODS;
             j++)
            mod_manifest_print_contract(text, m, &m->methods[d->first_method + j], "method");
    }
    if (m->implements_count)
        mod_text_char(text, '\n');
    for (uint32_t i = 0; i < m->implements_count && i < MOD_MANIFEST_MAX_IMPLEMENTS; i++)
        mod_text_format(text, "implements %s %u.%u %s\n", m->implements[i].iid,
                        m->implements[i].major, m->implements[i].minor, m->implements[i].clsid);
}
