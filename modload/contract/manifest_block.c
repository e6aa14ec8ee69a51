/* manifest_block.c — export and import blocks of the manifest parser:
 * opening a block, each field line, and the checks when it closes (required
 * fields, fields that contradict each other). See manifest_parser.h.
 */
#include "modload/contract/manifest_parser.h"
#include "modload/contract/text.h"
#include <string.h>

static const char *const field_names[FIELD_COUNT] = {
    "context",  "sleeps",       "reentrant", "user-callable", "update",
    "acquires", "caller-holds", "holds",     "runs",          "prototype",
};

#define FIELDS_REQUIRED \
    (1u << FIELD_CONTEXT | 1u << FIELD_SLEEPS | 1u << FIELD_REENTRANT | \
     1u << FIELD_USER_CALLABLE | 1u << FIELD_UPDATE)
#define FIELDS_EXPORT \
    (FIELDS_REQUIRED | 1u << FIELD_ACQUIRES | 1u << FIELD_CALLER_HOLDS | 1u << FIELD_RUNS | \
     1u << FIELD_PROTOTYPE)
#define FIELDS_IMPORT (FIELDS_REQUIRED | 1u << FIELD_HOLDS)
#define FIELDS_METHOD FIELDS_REQUIRED /* manifest_interfaces.c */

static uint32_t allowed_fields(const struct mod_manifest_parser *p)
{
    return p->block_kind[0] == 'e'   ? FIELDS_EXPORT
           : p->block_kind[0] == 'm' ? FIELDS_METHOD
                                     : FIELDS_IMPORT;
}

static int find_contract(const struct mod_contract *list, uint32_t count, const char *symbol)
{
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(list[i].symbol, symbol) == 0)
            return (int)i;
    return -1;
}

int mod_manifest_find_export(const struct mod_manifest *manifest, const char *symbol)
{
    return find_contract(manifest->exports, manifest->export_count, symbol);
}

int mod_manifest_find_import(const struct mod_manifest *manifest, const char *symbol)
{
    return find_contract(manifest->imports, manifest->import_count, symbol);
}

/* "'a', 'b' or 'c'" */
static void list_choices(struct mod_text *text, const char *const *choices, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (i)
            mod_text_string(text, i + 1 == count ? " or " : ", ");
        mod_text_format(text, "'%s'", choices[i]);
    }
}

/* The single value of a field, one of choices[]: its index in *value. */
static enum mod_manifest_status parse_choice(struct mod_manifest_parser *p,
                                             const char *const *choices, uint32_t count,
                                             uint32_t *value)
{
    char expected[128];
    struct mod_text text;
    mod_text_start(&text, expected, sizeof(expected));
    list_choices(&text, choices, count);
    mod_text_finish(&text);
    enum mod_manifest_status status = mod_parser_expect_words(p, 1, expected);
    if (status)
        return status;
    for (uint32_t i = 0; i < count; i++) {
        if (mod_parser_word_is(&p->words[1], choices[i])) {
            *value = i;
            return MOD_MANIFEST_OK;
        }
    }
    return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1, "expected %s after '%w', found '%w'", expected,
                     WORD(p, 0), WORD(p, 1));
}

/* A lock class list (one or more words after the key) into *set. */
static enum mod_manifest_status parse_lock_list(struct mod_manifest_parser *p, mod_lock_set *set)
{
    if (p->word_count < 2)
        return mod_parser_expect_words(p, 1, "one or more lock classes");
    if (p->word_count - 1 > MOD_MANIFEST_MAX_LIST)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, MOD_MANIFEST_MAX_LIST + 1,
                         "more than %u lock classes after '%w'", MOD_MANIFEST_MAX_LIST, WORD(p, 0));
    *set = 0;
    for (uint32_t i = 1; i < p->word_count; i++) {
        uint8_t index;
        enum mod_manifest_status status = mod_parser_intern_lock(p, i, &index);
        if (status)
            return status;
        if (*set & (1u << index))
            return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, i, "'%w' names '%w' twice", WORD(p, 0),
                             WORD(p, i));
        *set |= 1u << index;
    }
    return MOD_MANIFEST_OK;
}

/* ------------------------------------------------------------ blocks */

static const char *const context_words[] = { "process", "interrupt", "any" };
static const enum mod_context context_values[] = {
    MOD_CONTEXT_PROCESS,
    MOD_CONTEXT_INTERRUPT,
    MOD_CONTEXT_ANY,
};
static const char *const sleeps_words[] = { "may", "never" };
static const char *const yes_no_words[] = { "yes", "no" };
static const char *const update_words[] = { "concurrent", "quiescent", "never" };
static const enum mod_update_policy update_values[] = {
    MOD_UPDATE_CONCURRENT,
    MOD_UPDATE_QUIESCENT,
    MOD_UPDATE_NEVER,
};
static const char *const runs_words[] = { "gate", "user" };

const char *mod_runs_name(enum mod_runs runs)
{
    return (unsigned)runs < 2 ? runs_words[runs] : "?";
}

const char *mod_context_name(enum mod_context context)
{
    for (uint32_t i = 0; i < 3; i++)
        if (context_values[i] == context)
            return context_words[i];
    return "?";
}

const char *mod_sleeps_name(enum mod_sleeps sleeps)
{
    return sleeps == MOD_SLEEPS_MAY ? "may" : sleeps == MOD_SLEEPS_NEVER ? "never" : "?";
}

const char *mod_update_policy_name(enum mod_update_policy policy)
{
    for (uint32_t i = 0; i < 3; i++)
        if (update_values[i] == policy)
            return update_words[i];
    return "?";
}

static bool is_prototype_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '(' || c == ')' || c == '*' || c == ',' || c == ' ';
}

/* `prototype WORDS...`: a C declaration of the export, kept with its words
 * joined by one space. Only identifiers, '(', ')', '*' and ','; it must
 * declare the export's name (the name, then '(') and end with ')'. */
static enum mod_manifest_status parse_prototype(struct mod_manifest_parser *p,
                                                struct mod_contract *c)
{
    size_t used = 0;
    if (p->word_count < 2)
        return mod_parser_expect_words(p, 1, "a C declaration");
    for (uint32_t i = 1; i < p->word_count; i++) {
        const struct mod_manifest_word *w = &p->words[i];
        if (used + (i > 1) + w->length > MOD_MANIFEST_PROTOTYPE_MAX)
            return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, i, "prototype longer than %u bytes",
                             MOD_MANIFEST_PROTOTYPE_MAX);
        if (i > 1)
            c->prototype[used++] = ' ';
        for (size_t k = 0; k < w->length; k++)
            if (!is_prototype_char(w->start[k]))
                return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, i,
                                 "'%w': a prototype has identifiers, '(', ')', '*' and ',' only",
                                 WORD(p, i));
        memcpy(c->prototype + used, w->start, w->length);
        used += w->length;
    }
    c->prototype[used] = '\0';
    size_t n = strlen(c->symbol);
    bool declares = false;
    for (size_t at = 0; at + n < used && !declares; at++)
        declares = (at == 0 || c->prototype[at - 1] == ' ' || c->prototype[at - 1] == '*') &&
                   memcmp(c->prototype + at, c->symbol, n) == 0 && c->prototype[at + n] == '(';
    if (!declares || c->prototype[used - 1] != ')')
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1, "prototype '%s' does not declare '%s(...)'",
                         c->prototype, c->symbol);
    return MOD_MANIFEST_OK;
}

static enum mod_manifest_status unknown_field(struct mod_manifest_parser *p)
{
    uint32_t allowed = allowed_fields(p);
    char expected[160];
    const char *names[FIELD_COUNT];
    uint32_t count = 0;
    struct mod_text text;
    for (uint32_t f = 0; f < FIELD_COUNT; f++)
        if (allowed & (1u << f))
            names[count++] = field_names[f];
    mod_text_start(&text, expected, sizeof(expected));
    list_choices(&text, names, count);
    mod_text_finish(&text);
    return FAIL_WORD(p, MOD_MANIFEST_E_UNKNOWN_KEY, 0, "unknown field '%w' (expected %s)",
                     WORD(p, 0), expected);
}

enum mod_manifest_status mod_parser_field(struct mod_manifest_parser *p)
{
    struct mod_contract *c = p->block;
    uint32_t allowed = allowed_fields(p);
    uint32_t field = 0, value = 0;
    enum mod_manifest_status status;
    while (field < FIELD_COUNT && !mod_parser_word_is(&p->words[0], field_names[field]))
        field++;
    if (field == FIELD_COUNT || !(allowed & (1u << field)))
        return unknown_field(p);
    if (p->fields_seen & (1u << field))
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 0,
                         "field '%s' given twice (first on line %u)", field_names[field],
                         p->field_line[field]);
    switch (field) {
    case FIELD_CONTEXT:
        status = parse_choice(p, context_words, 3, &value);
        c->context = context_values[value];
        break;
    case FIELD_SLEEPS:
        status = parse_choice(p, sleeps_words, 2, &value);
        c->sleeps = value == 0 ? MOD_SLEEPS_MAY : MOD_SLEEPS_NEVER;
        break;
    case FIELD_REENTRANT:
        status = parse_choice(p, yes_no_words, 2, &value);
        c->reentrant = value == 0;
        break;
    case FIELD_USER_CALLABLE:
        status = parse_choice(p, yes_no_words, 2, &value);
        c->user_callable = value == 0;
        break;
    case FIELD_UPDATE:
        if (p->word_count == 2 && mod_parser_word_is(&p->words[1], "live"))
            return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1,
                             "'update live' is now 'update concurrent' (callers never wait "
                             "during a swap); write 'update concurrent'");
        status = parse_choice(p, update_words, 3, &value);
        c->update = update_values[value];
        break;
    case FIELD_ACQUIRES:
        status = parse_lock_list(p, &c->acquires);
        break;
    case FIELD_CALLER_HOLDS:
        status = parse_lock_list(p, &c->caller_holds);
        break;
    case FIELD_RUNS:
        status = parse_choice(p, runs_words, 2, &value);
        c->runs = value == 0 ? MOD_RUNS_GATE : MOD_RUNS_USER;
        break;
    case FIELD_PROTOTYPE:
        status = parse_prototype(p, c);
        break;
    default:
        status = parse_lock_list(p, &c->holds);
        break;
    }
    p->fields_seen |= 1u << field;
    p->field_line[field] = p->line;
    return status;
}

enum mod_manifest_status mod_parser_close_block(struct mod_manifest_parser *p)
{
    struct mod_contract *c = p->block;
    uint32_t missing = FIELDS_REQUIRED & ~p->fields_seen;
    if (p->word_count != 1)
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1, "unexpected '%w' after '}'", WORD(p, 1));
    for (uint32_t f = 0; f < FIELD_COUNT; f++)
        if (missing & (1u << f))
            return mod_parser_fail(p, MOD_MANIFEST_E_MISSING, p->line, p->words[0].column,
                                   "missing field '%s' (required: context, sleeps, reentrant, "
                                   "user-callable, update)",
                                   field_names[f]);
    /* Code that runs in interrupt context cannot sleep; an importer that
     * calls from there cannot bear a sleep either. */
    if ((c->context & MOD_CONTEXT_INTERRUPT) && c->sleeps == MOD_SLEEPS_MAY)
        return mod_parser_fail(p, MOD_MANIFEST_E_CONFLICT, p->field_line[FIELD_SLEEPS], 0,
                               "'context %s' (line %u) requires 'sleeps never'",
                               mod_context_name(c->context), p->field_line[FIELD_CONTEXT]);
    /* User code runs in process context and holds no kernel lock class. */
    if (c->user_callable && !(c->context & MOD_CONTEXT_PROCESS))
        return mod_parser_fail(p, MOD_MANIFEST_E_CONFLICT, p->field_line[FIELD_USER_CALLABLE], 0,
                               "'user-callable yes' requires context 'process' or 'any', not "
                               "'%s' (line %u)",
                               mod_context_name(c->context), p->field_line[FIELD_CONTEXT]);
    if (c->user_callable && (c->caller_holds | c->holds))
        return mod_parser_fail(p, MOD_MANIFEST_E_CONFLICT,
                               p->field_line[c->holds ? FIELD_HOLDS : FIELD_CALLER_HOLDS], 0,
                               "'user-callable yes' (line %u) and a lock class held by the caller "
                               "exclude each other",
                               p->field_line[FIELD_USER_CALLABLE]);
    /* Where it runs and how C declares it matter only to user code. */
    if (!c->user_callable && (p->fields_seen & (1u << FIELD_RUNS | 1u << FIELD_PROTOTYPE)))
        return mod_parser_fail(
            p, MOD_MANIFEST_E_CONFLICT,
            p->field_line[p->fields_seen & (1u << FIELD_RUNS) ? FIELD_RUNS : FIELD_PROTOTYPE], 0,
            "'%s' is for user-callable exports only ('user-callable no', line %u)",
            p->fields_seen & (1u << FIELD_RUNS) ? "runs" : "prototype",
            p->field_line[FIELD_USER_CALLABLE]);
    mod_lock_set both = c->acquires & c->caller_holds;
    if (both) {
        uint32_t i = 0;
        while (!(both & (1u << i)))
            i++;
        return mod_parser_fail(p, MOD_MANIFEST_E_CONFLICT, p->field_line[FIELD_ACQUIRES], 0,
                               "acquires '%s', which its caller must already hold (line %u)",
                               p->manifest->lock_names[i], p->field_line[FIELD_CALLER_HOLDS]);
    }
    p->block = NULL;
    return MOD_MANIFEST_OK;
}

enum mod_manifest_status mod_parser_open_block(struct mod_manifest_parser *p, bool is_export)
{
    struct mod_manifest *m = p->manifest;
    const char *kind = is_export ? "export" : "import";
    uint32_t limit = is_export ? MOD_MANIFEST_MAX_EXPORTS : MOD_MANIFEST_MAX_IMPORTS;
    uint8_t *count = is_export ? &m->export_count : &m->import_count;
    struct mod_contract *list = is_export ? m->exports : m->imports;
    char symbol[MOD_MANIFEST_NAME_SIZE];
    enum mod_manifest_status status;
    if (p->word_count >= 2 && !mod_parser_word_is(&p->words[1], "{")) {
        status = mod_parser_check_name(p, 1, "symbol name", MOD_MANIFEST_NAME_MAX,
                                       mod_parser_is_identifier);
        if (status)
            return status;
    }
    status = mod_parser_expect_words(p, 2, "a symbol name and '{'");
    if (status)
        return status;
    if (!mod_parser_word_is(&p->words[2], "{"))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2, "expected '{' after '%w %w', found '%w'",
                         WORD(p, 0), WORD(p, 1), WORD(p, 2));
    memcpy(symbol, p->words[1].start, p->words[1].length);
    symbol[p->words[1].length] = '\0';
    int twice = find_contract(list, *count, symbol);
    if (twice >= 0)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 1,
                         "%s '%s' declared twice (first on line %u)", kind, symbol,
                         list[twice].line);
    int other =
        is_export ? mod_manifest_find_import(m, symbol) : mod_manifest_find_export(m, symbol);
    if (other >= 0)
        return FAIL_WORD(p, MOD_MANIFEST_E_CONFLICT, 1,
                         "'%s' is both exported and imported (line %u)", symbol,
                         (is_export ? m->imports : m->exports)[other].line);
    if (*count == limit)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, 0, "more than %u %ss", limit, kind);
    p->block = &list[(*count)++];
    p->block_kind = kind;
    memset(p->block, 0, sizeof(*p->block));
    memcpy(p->block->symbol, symbol, sizeof(symbol));
    p->block->line = p->line;
    p->fields_seen = 0;
    return MOD_MANIFEST_OK;
}
