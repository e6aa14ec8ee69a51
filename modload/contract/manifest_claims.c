/* manifest_claims.c — `claims` lines of the manifest parser: the hardware
 * resources a module may claim (MODULES.md, "Devices, resources and
 * interfaces"). The kernel refuses a claim outside them at run time
 * (kernel/dev/resource.c); the audit checks them across modules.
 *
 *   claims pci VVVV:DDDD        a PCI function by vendor:device (hex)
 *   claims ports 0xA-0xB        an I/O port range (or one port, 0xA)
 *   claims irq N                an IO-APIC (ISA) line, 0..23
 */
#include "modload/contract/manifest_parser.h"
#include "modload/contract/manifest_devices.h"
#include "modload/contract/text.h"
#include <string.h>

#define IRQ_MAX 23u

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* exactly `digits` hex digits (digits 0: 1..4 of them) */
static bool parse_hex(const char *s, size_t n, size_t digits, uint32_t *value)
{
    if (n == 0 || n > 4 || (digits && n != digits))
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *value = v;
    return true;
}

/* "0x3f8" */
static bool parse_port(const char *s, size_t n, uint32_t *value)
{
    return n > 2 && s[0] == '0' && s[1] == 'x' && parse_hex(s + 2, n - 2, 0, value);
}

static const char *find_char(const char *s, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == c)
            return s + i;
    return NULL;
}

/* value in lowercase hex, at least `width` digits */
static void put_hex(struct mod_text *text, uint32_t value, unsigned width)
{
    char digits[8];
    unsigned n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value && n < sizeof(digits));
    while (n < width && n < sizeof(digits))
        digits[n++] = '0';
    while (n)
        mod_text_char(text, digits[--n]);
}

static enum mod_manifest_status parse_value(struct mod_manifest_parser *p, struct mod_claim_decl *c)
{
    const struct mod_manifest_word *w = &p->words[2];
    const char *dash = find_char(w->start, w->length, '-');
    const char *colon = find_char(w->start, w->length, ':');
    size_t first_length;
    switch (c->kind) {
    case MOD_CLAIM_PCI:
        if (colon && parse_hex(w->start, (size_t)(colon - w->start), 4, &c->first) &&
            parse_hex(colon + 1, w->length - (size_t)(colon - w->start) - 1, 4, &c->last)) {
            c->first = c->first << 16 | c->last;
            c->last = c->first;
            return MOD_MANIFEST_OK;
        }
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2,
                         "expected VENDOR:DEVICE (4 hex digits each) after 'claims pci', found "
                         "'%w'",
                         WORD(p, 2));
    case MOD_CLAIM_PORTS:
        first_length = dash ? (size_t)(dash - w->start) : w->length;
        if (parse_port(w->start, first_length, &c->first) &&
            (!dash ? (c->last = c->first, true)
                   : parse_port(dash + 1, w->length - first_length - 1, &c->last))) {
            if (c->last >= c->first)
                return MOD_MANIFEST_OK;
            return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2, "port range '%w' ends before it starts",
                             WORD(p, 2));
        }
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2,
                         "expected 0xFIRST-0xLAST or 0xPORT (hex, up to 0xffff) after 'claims "
                         "ports', found '%w'",
                         WORD(p, 2));
    default:
        if (mod_parser_number(WORD(p, 2), 0, IRQ_MAX, &c->first)) {
            c->last = c->first;
            return MOD_MANIFEST_OK;
        }
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2,
                         "expected an IO-APIC line 0..%u after 'claims irq', found '%w'", IRQ_MAX,
                         WORD(p, 2));
    }
}

enum mod_manifest_status mod_parser_claims(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    struct mod_claim_decl c = { .line = p->line };
    enum mod_manifest_status status =
        mod_parser_expect_words(p, 2, "'pci', 'ports' or 'irq' and a value");
    if (status)
        return status;
    if (mod_parser_word_is(&p->words[1], "pci"))
        c.kind = MOD_CLAIM_PCI;
    else if (mod_parser_word_is(&p->words[1], "ports"))
        c.kind = MOD_CLAIM_PORTS;
    else if (mod_parser_word_is(&p->words[1], "irq"))
        c.kind = MOD_CLAIM_IRQ;
    else
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1,
                         "expected 'pci', 'ports' or 'irq' after 'claims', found '%w'", WORD(p, 1));
    status = parse_value(p, &c);
    if (status)
        return status;
    for (uint32_t i = 0; i < m->claim_count; i++)
        if (mod_claims_overlap(&m->claims[i], &c))
            return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 2,
                             "'claims %w %w' overlaps the claim on line %u", WORD(p, 1), WORD(p, 2),
                             m->claims[i].line);
    if (m->claim_count == MOD_MANIFEST_MAX_CLAIMS)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, 0, "more than %u 'claims' lines",
                         MOD_MANIFEST_MAX_CLAIMS);
    m->claims[m->claim_count++] = c;
    return MOD_MANIFEST_OK;
}

bool mod_claims_overlap(const struct mod_claim_decl *a, const struct mod_claim_decl *b)
{
    return a->kind == b->kind && a->first <= b->last && b->first <= a->last;
}

void mod_claim_describe(const struct mod_claim_decl *c, char *out, size_t size)
{
    struct mod_text text;
    mod_text_start(&text, out, size);
    if (c->kind == MOD_CLAIM_PCI) {
        mod_text_string(&text, "pci ");
        put_hex(&text, c->first >> 16, 4);
        mod_text_char(&text, ':');
        put_hex(&text, c->first & 0xffff, 4);
    } else if (c->kind == MOD_CLAIM_PORTS) {
        mod_text_string(&text, "ports 0x");
        put_hex(&text, c->first, 1);
        if (c->last != c->first) {
            mod_text_string(&text, "-0x");
            put_hex(&text, c->last, 1);
        }
    } else {
        mod_text_format(&text, "irq %u", c->first);
    }
    mod_text_finish(&text);
}

void mod_manifest_print_claims(struct mod_text *text, const struct mod_manifest *m)
{
    for (uint32_t i = 0; i < m->claim_count && i < MOD_MANIFEST_MAX_CLAIMS; i++) {
        char line[48];
        mod_claim_describe(&m->claims[i], line, sizeof(line));
        mod_text_format(text, "claims %s\n", line);
    }
}
