/* manifest.c — the manifest parser (see manifest.h; grammar in MODULES.md).
 *
 * One line at a time: the line's bytes are checked (no NUL, CR, control or
 * non-ASCII byte outside comments), split into at most
 * MOD_MANIFEST_MAX_WORDS words ('{', '}' and '<' are words of their own,
 * '#' starts a comment), then handed to the directive or, inside an
 * export/import block, to the field it names. Checks that need the whole
 * text (required directives, classes used but not defined) run at the end.
 * Every read is bounded by the input size; words point into the input.
 */
#include "modload/contract/manifest.h"
#include "modload/contract/manifest_parser.h"
#include "modload/contract/text.h"
#include <stdarg.h>
#include <string.h>

static const char *const status_names[MOD_MANIFEST_STATUS_COUNT] = {
    [MOD_MANIFEST_OK] = "ok",
    [MOD_MANIFEST_E_SIZE] = "bad size",
    [MOD_MANIFEST_E_CHARACTER] = "bad character",
    [MOD_MANIFEST_E_SYNTAX] = "syntax error",
    [MOD_MANIFEST_E_UNKNOWN_KEY] = "unknown key",
    [MOD_MANIFEST_E_DUPLICATE] = "duplicate",
    [MOD_MANIFEST_E_MISSING] = "missing",
    [MOD_MANIFEST_E_LIMIT] = "over limit",
    [MOD_MANIFEST_E_CONFLICT] = "conflicting fields",
    [MOD_MANIFEST_E_UNTERMINATED] = "unterminated block",
};

const char *mod_manifest_status_name(enum mod_manifest_status code)
{
    if ((unsigned)code >= MOD_MANIFEST_STATUS_COUNT)
        return "unknown status";
    return status_names[code];
}

/* Records the first error: "FILE:LINE:COLUMN: " (column omitted when 0),
 * then "export 'NAME': " inside a block, then the formatted text. */
enum mod_manifest_status mod_parser_fail(struct mod_manifest_parser *p,
                                         enum mod_manifest_status code, uint32_t line,
                                         uint32_t column, const char *format, ...)
{
    struct mod_manifest_error *err = p->err;
    if (!err)
        return code;
    struct mod_text text;
    mod_text_start(&text, err->message, sizeof(err->message));
    err->code = code;
    err->line = line;
    err->column = column;
    mod_text_string(&text, p->file ? p->file : "manifest");
    if (line)
        mod_text_format(&text, ":%u", line);
    if (line && column)
        mod_text_format(&text, ":%u", column);
    mod_text_string(&text, ": ");
    if (p->block)
        mod_text_format(&text, "%s '%s': ", p->block_kind, p->block->symbol);
    va_list ap;
    va_start(ap, format);
    mod_text_vformat(&text, format, ap);
    va_end(ap);
    mod_text_finish(&text);
    return code;
}

/* memchr() for the kernel's string.h, which has none. */
static const char *find_byte(const char *s, int c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == (char)c)
            return s + i;
    return NULL;
}

bool mod_parser_word_is(const struct mod_manifest_word *w, const char *s)
{
    size_t n = strlen(s);
    return w->length == n && memcmp(w->start, s, n) == 0;
}

/* ------------------------------------------------------------ names */

static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool mod_parser_is_identifier(const char *s, size_t n)
{
    if (n == 0 || !(is_letter(s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(is_letter(s[i]) || is_digit(s[i]) || s[i] == '_'))
            return false;
    return true;
}

static bool is_module_name(const char *s, size_t n)
{
    if (n == 0 || !is_letter(s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(is_letter(s[i]) || is_digit(s[i]) || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* A lock class is MODULE.IDENTIFIER: the module that defines it, a dot, a
 * C identifier. Returns the length of the MODULE part, 0 if malformed. */
static size_t lock_class_prefix(const char *s, size_t n)
{
    const char *dot = find_byte(s, '.', n);
    if (!dot)
        return 0;
    size_t prefix = (size_t)(dot - s);
    if (prefix > MOD_MANIFEST_MODULE_MAX || !is_module_name(s, prefix) ||
        !mod_parser_is_identifier(dot + 1, n - prefix - 1))
        return 0;
    return prefix;
}

/* Checks word i as a name of the given kind; limit is its longest length. */
enum mod_manifest_status mod_parser_check_name(struct mod_manifest_parser *p, uint32_t i,
                                               const char *kind, size_t limit,
                                               bool (*valid)(const char *, size_t))
{
    const struct mod_manifest_word *w = &p->words[i];
    if (w->length > limit)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, i,
                         "%s '%w' is %lu characters long, the limit is %lu", kind, WORD(p, i),
                         (unsigned long)w->length, (unsigned long)limit);
    if (!valid(w->start, w->length))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, i, "bad %s '%w'", kind, WORD(p, i));
    return MOD_MANIFEST_OK;
}

static bool is_lock_class(const char *s, size_t n) { return lock_class_prefix(s, n) != 0; }

int mod_manifest_find_lock(const struct mod_manifest *manifest, const char *name)
{
    for (uint32_t i = 0; i < manifest->lock_name_count; i++)
        if (strcmp(manifest->lock_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* Validates word i as a lock class and returns its index in lock_names
 * (adding it on first use) in *index. */
enum mod_manifest_status mod_parser_intern_lock(struct mod_manifest_parser *p, uint32_t i,
                                                uint8_t *index)
{
    struct mod_manifest *m = p->manifest;
    char name[MOD_MANIFEST_NAME_SIZE];
    enum mod_manifest_status status =
        mod_parser_check_name(p, i, "lock class", MOD_MANIFEST_NAME_MAX, is_lock_class);
    if (status)
        return status;
    memcpy(name, p->words[i].start, p->words[i].length);
    name[p->words[i].length] = '\0';
    int found = mod_manifest_find_lock(m, name);
    if (found >= 0) {
        *index = (uint8_t)found;
        return MOD_MANIFEST_OK;
    }
    if (m->lock_name_count == MOD_MANIFEST_MAX_LOCK_NAMES)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, i,
                         "more than %u lock classes named in one manifest",
                         MOD_MANIFEST_MAX_LOCK_NAMES);
    *index = m->lock_name_count++;
    memcpy(m->lock_names[*index], name, sizeof(name));
    p->lock_first_line[*index] = p->line;
    p->lock_first_column[*index] = p->words[i].column;
    return MOD_MANIFEST_OK;
}

/* ------------------------------------------------------------ values */

/* Checks that a directive or field has exactly `count` words after its
 * key; `what` says what they are, for the message. */
enum mod_manifest_status mod_parser_expect_words(struct mod_manifest_parser *p, uint32_t count,
                                                 const char *what)
{
    if (p->word_count == count + 1)
        return MOD_MANIFEST_OK;
    if (p->word_count < count + 1) {
        const struct mod_manifest_word *last = &p->words[p->word_count - 1];
        return mod_parser_fail(p, MOD_MANIFEST_E_SYNTAX, p->line,
                               last->column + (uint32_t)last->length,
                               "expected %s after '%w', found end of line", what, WORD(p, 0));
    }
    return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, count + 1, "unexpected '%w': '%w' takes %s only",
                     WORD(p, count + 1), WORD(p, 0), what);
}

/* A decimal number in [min, max] without sign or leading zeros. */
bool mod_parser_number(const char *s, size_t n, uint32_t min, uint32_t max, uint32_t *value)
{
    uint32_t v = 0;
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v < min || v > max)
        return false;
    *value = v;
    return true;
}

/* ------------------------------------------------------------ directives */

static enum mod_manifest_status parse_module(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    enum mod_manifest_status status;
    if (p->module_line)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 0, "'module' given twice (first on line %u)",
                         p->module_line);
    status = mod_parser_expect_words(p, 1, "a module name");
    if (status)
        return status;
    status = mod_parser_check_name(p, 1, "module name", MOD_MANIFEST_MODULE_MAX, is_module_name);
    if (status)
        return status;
    memcpy(m->name, p->words[1].start, p->words[1].length);
    m->name[p->words[1].length] = '\0';
    p->module_line = p->line;
    return MOD_MANIFEST_OK;
}

bool mod_parser_version(const struct mod_manifest_word *w, uint16_t *major, uint16_t *minor)
{
    uint32_t a, b;
    const char *dot = find_byte(w->start, '.', w->length);
    if (!dot || !mod_parser_number(w->start, (size_t)(dot - w->start), 0, 65535, &a) ||
        !mod_parser_number(dot + 1, w->length - (size_t)(dot - w->start) - 1, 0, 65535, &b))
        return false;
    *major = (uint16_t)a;
    *minor = (uint16_t)b;
    return true;
}

static enum mod_manifest_status parse_version(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    uint32_t major, minor;
    if (p->version_line)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 0, "'version' given twice (first on line %u)",
                         p->version_line);
    enum mod_manifest_status status = mod_parser_expect_words(p, 1, "MAJOR.MINOR");
    if (status)
        return status;
    const struct mod_manifest_word *w = &p->words[1];
    const char *dot = find_byte(w->start, '.', w->length);
    if (!dot || !mod_parser_number(w->start, (size_t)(dot - w->start), 0, 65535, &major) ||
        !mod_parser_number(dot + 1, w->length - (size_t)(dot - w->start) - 1, 0, 65535, &minor))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1,
                         "expected MAJOR.MINOR (each 0..65535) after 'version', found '%w'",
                         WORD(p, 1));
    m->version_major = (uint16_t)major;
    m->version_minor = (uint16_t)minor;
    p->version_line = p->line;
    return MOD_MANIFEST_OK;
}

static enum mod_manifest_status parse_state(struct mod_manifest_parser *p)
{
    uint32_t version = 0;
    if (p->state_line)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 0, "'state' given twice (first on line %u)",
                         p->state_line);
    enum mod_manifest_status status = mod_parser_expect_words(p, 1, "'none' or a state version");
    if (status)
        return status;
    if (!mod_parser_word_is(&p->words[1], "none") &&
        !mod_parser_number(WORD(p, 1), 1, MOD_MANIFEST_MAX_STATE, &version))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1,
                         "expected 'none' or a state version 1..%u after 'state', found '%w'",
                         MOD_MANIFEST_MAX_STATE, WORD(p, 1));
    p->manifest->state_version = (uint16_t)version;
    p->state_line = p->line;
    return MOD_MANIFEST_OK;
}

static enum mod_manifest_status parse_transfer(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    if (p->transfer_line)
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 0,
                         "'transfer-from' given twice (first on line %u)", p->transfer_line);
    if (p->word_count < 2)
        return mod_parser_expect_words(p, 1, "one or more state versions");
    if (p->word_count - 1 > MOD_MANIFEST_MAX_TRANSFER)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, MOD_MANIFEST_MAX_TRANSFER + 1,
                         "more than %u versions after 'transfer-from'", MOD_MANIFEST_MAX_TRANSFER);
    for (uint32_t i = 1; i < p->word_count; i++) {
        uint32_t version, at;
        if (!mod_parser_number(WORD(p, i), 1, MOD_MANIFEST_MAX_STATE, &version))
            return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, i,
                             "expected a state version 1..%u after 'transfer-from', found '%w'",
                             MOD_MANIFEST_MAX_STATE, WORD(p, i));
        /* Kept sorted: the set, not the order of writing, is the meaning. */
        for (at = 0; at < m->transfer_count && m->transfer_from[at] < version; at++)
            ;
        if (at < m->transfer_count && m->transfer_from[at] == version)
            return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, i,
                             "'transfer-from' names version %u twice", version);
        memmove(&m->transfer_from[at + 1], &m->transfer_from[at],
                (m->transfer_count - at) * sizeof(m->transfer_from[0]));
        m->transfer_from[at] = (uint16_t)version;
        m->transfer_count++;
    }
    p->transfer_line = p->line;
    return MOD_MANIFEST_OK;
}

static enum mod_manifest_status parse_lock(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    size_t module_length = strlen(m->name);
    uint8_t index;
    enum mod_manifest_status status = mod_parser_expect_words(p, 1, "a lock class name");
    if (status)
        return status;
    status = mod_parser_intern_lock(p, 1, &index);
    if (status)
        return status;
    if (lock_class_prefix(WORD(p, 1)) != module_length ||
        memcmp(p->words[1].start, m->name, module_length) != 0)
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 1,
                         "lock class '%w' must be named '%s.NAME' (a class is named after "
                         "the module that defines it)",
                         WORD(p, 1), m->name);
    if (m->defines & (1u << index))
        return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 1,
                         "lock class '%w' defined twice (first on line %u)", WORD(p, 1),
                         p->lock_define_line[index]);
    m->defines |= 1u << index;
    p->lock_define_line[index] = p->line;
    return MOD_MANIFEST_OK;
}

static enum mod_manifest_status parse_order(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    uint8_t before, after;
    enum mod_manifest_status status;
    if (p->word_count >= 3 && !mod_parser_word_is(&p->words[2], "<"))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 2,
                         "expected '<' between the two lock classes, found '%w'", WORD(p, 2));
    status = mod_parser_expect_words(p, 3, "'CLASS < CLASS'");
    if (status)
        return status;
    status = mod_parser_intern_lock(p, 1, &before);
    if (!status)
        status = mod_parser_intern_lock(p, 3, &after);
    if (status)
        return status;
    if (before == after)
        return FAIL_WORD(p, MOD_MANIFEST_E_CONFLICT, 3, "lock class '%w' ordered before itself",
                         WORD(p, 3));
    for (uint32_t i = 0; i < m->order_count; i++)
        if (m->orders[i].before == before && m->orders[i].after == after)
            return FAIL_WORD(p, MOD_MANIFEST_E_DUPLICATE, 0,
                             "order '%s < %s' given twice (first on line %u)",
                             m->lock_names[before], m->lock_names[after], m->orders[i].line);
    if (m->order_count == MOD_MANIFEST_MAX_ORDERS)
        return FAIL_WORD(p, MOD_MANIFEST_E_LIMIT, 0, "more than %u 'order' lines",
                         MOD_MANIFEST_MAX_ORDERS);
    m->orders[m->order_count++] = (struct mod_lock_order_decl){ before, after, p->line };
    return MOD_MANIFEST_OK;
}

static enum mod_manifest_status parse_directive(struct mod_manifest_parser *p)
{
    const struct mod_manifest_word *key = &p->words[0];
    if (p->block) {
        if (mod_parser_word_is(key, "}"))
            return mod_parser_close_block(p);
        if (mod_parser_word_is(key, "export") || mod_parser_word_is(key, "import") ||
            mod_parser_word_is(key, "method"))
            return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 0,
                             "expected '}' to close the block (opened on line %u) before '%w'",
                             p->block->line, WORD(p, 0));
        return mod_parser_field(p);
    }
    if (!p->module_line && !mod_parser_word_is(key, "module"))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 0,
                         "expected 'module NAME' as the first directive, found '%w'", WORD(p, 0));
    if (mod_parser_word_is(key, "module"))
        return parse_module(p);
    if (mod_parser_word_is(key, "version"))
        return parse_version(p);
    if (mod_parser_word_is(key, "state"))
        return parse_state(p);
    if (mod_parser_word_is(key, "transfer-from"))
        return parse_transfer(p);
    if (mod_parser_word_is(key, "lock"))
        return parse_lock(p);
    if (mod_parser_word_is(key, "order"))
        return parse_order(p);
    if (mod_parser_word_is(key, "export") || mod_parser_word_is(key, "import"))
        return mod_parser_open_block(p, mod_parser_word_is(key, "export"));
    if (mod_parser_word_is(key, "claims"))
        return mod_parser_claims(p);
    if (mod_parser_word_is(key, "interface"))
        return mod_parser_interface(p);
    if (mod_parser_word_is(key, "method"))
        return mod_parser_method(p);
    if (mod_parser_word_is(key, "implements"))
        return mod_parser_implements(p);
    if (mod_parser_word_is(key, "}"))
        return FAIL_WORD(p, MOD_MANIFEST_E_SYNTAX, 0, "'}' without an open export or import");
    return FAIL_WORD(p, MOD_MANIFEST_E_UNKNOWN_KEY, 0,
                     "unknown directive '%w' (expected 'module', 'version', 'state', "
                     "'transfer-from', 'lock', 'order', 'export', 'import', 'claims', "
                     "'interface', 'method' or 'implements')",
                     WORD(p, 0));
}

/* ------------------------------------------------------------ lines */

static enum mod_manifest_status check_bytes(struct mod_manifest_parser *p, const char *line,
                                            size_t length)
{
    static const char hex[] = "0123456789abcdef";
    bool comment = false;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)line[i];
        uint32_t column = (uint32_t)i + 1;
        if (c == '#')
            comment = true;
        if (c == '\0')
            return mod_parser_fail(p, MOD_MANIFEST_E_CHARACTER, p->line, column, "NUL byte");
        if (c == '\r')
            return mod_parser_fail(p, MOD_MANIFEST_E_CHARACTER, p->line, column,
                                   "carriage return (lines must end with LF alone, not CRLF)");
        /* Comments may hold UTF-8; the rest is printable ASCII. */
        if (c == '\t' || (c >= 0x20 && c < 0x7f) || (comment && c >= 0x80))
            continue;
        return mod_parser_fail(p, MOD_MANIFEST_E_CHARACTER, p->line, column,
                               "bad character 0x%c%c%s", hex[c >> 4], hex[c & 15],
                               c >= 0x80 ? " (non-ASCII bytes are allowed in comments only)" : "");
    }
    return MOD_MANIFEST_OK;
}

static bool is_single(char c) { return c == '{' || c == '}' || c == '<'; }
static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static enum mod_manifest_status split_words(struct mod_manifest_parser *p, const char *line,
                                            size_t length)
{
    size_t i = 0;
    p->word_count = 0;
    while (i < length && line[i] != '#') {
        if (is_blank(line[i])) {
            i++;
            continue;
        }
        if (p->word_count == MOD_MANIFEST_MAX_WORDS)
            return mod_parser_fail(p, MOD_MANIFEST_E_LIMIT, p->line, (uint32_t)i + 1,
                                   "more than %u words on one line", MOD_MANIFEST_MAX_WORDS);
        struct mod_manifest_word *w = &p->words[p->word_count++];
        size_t end = i + 1;
        if (!is_single(line[i]))
            while (end < length && !is_blank(line[end]) && line[end] != '#' &&
                   !is_single(line[end]))
                end++;
        w->start = line + i;
        w->length = end - i;
        w->column = (uint32_t)i + 1;
        i = end;
    }
    return MOD_MANIFEST_OK;
}

/* Checks that need the whole text. */
static enum mod_manifest_status finish(struct mod_manifest_parser *p)
{
    struct mod_manifest *m = p->manifest;
    size_t module_length = strlen(m->name);
    if (p->block)
        return mod_parser_fail(p, MOD_MANIFEST_E_UNTERMINATED, p->block->line, 0,
                               "not closed: expected '}' before the end of the input");
    if (!p->module_line)
        return mod_parser_fail(p, MOD_MANIFEST_E_MISSING, 0, 0, "no 'module NAME' directive");
    if (!p->version_line)
        return mod_parser_fail(p, MOD_MANIFEST_E_MISSING, 0, 0,
                               "no 'version MAJOR.MINOR' directive");
    if (m->transfer_count && !m->state_version)
        return mod_parser_fail(p, MOD_MANIFEST_E_CONFLICT, p->transfer_line, 0,
                               "'transfer-from' needs a state version ('state N'), the module "
                               "is stateless");
    enum mod_manifest_status status = mod_parser_finish_interfaces(p);
    if (status)
        return status;
    for (uint32_t i = 0; i < m->lock_name_count; i++) {
        const char *name = m->lock_names[i];
        if (!(m->defines & (1u << i)) && lock_class_prefix(name, strlen(name)) == module_length &&
            memcmp(name, m->name, module_length) == 0)
            return mod_parser_fail(p, MOD_MANIFEST_E_MISSING, p->lock_first_line[i],
                                   p->lock_first_column[i],
                                   "lock class '%s' is named after this module but no 'lock %s' "
                                   "line defines it",
                                   name, name);
    }
    return MOD_MANIFEST_OK;
}

enum mod_manifest_status mod_manifest_parse(struct mod_manifest *manifest, const void *text,
                                            size_t size, const char *file,
                                            struct mod_manifest_error *err)
{
    struct mod_manifest_parser p;
    const char *input = text;
    enum mod_manifest_status status = MOD_MANIFEST_OK;
    memset(manifest, 0, sizeof(*manifest));
    memset(&p, 0, sizeof(p));
    p.manifest = manifest;
    p.file = file;
    p.err = err;
    if (err)
        memset(err, 0, sizeof(*err));
    if (size == 0)
        return mod_parser_fail(&p, MOD_MANIFEST_E_SIZE, 0, 0, "empty manifest");
    if (size > MOD_MANIFEST_MAX_SIZE)
        return mod_parser_fail(&p, MOD_MANIFEST_E_SIZE, 0, 0,
                               "manifest is %lu bytes, the limit is %u", (unsigned long)size,
                               MOD_MANIFEST_MAX_SIZE);
    for (size_t position = 0; position < size && !status;) {
        const char *line = input + position;
        const char *newline = find_byte(line, '\n', size - position);
        size_t length = newline ? (size_t)(newline - line) : size - position;
        p.line++;
        position += length + 1;
        if (length > MOD_MANIFEST_MAX_LINE)
            return mod_parser_fail(&p, MOD_MANIFEST_E_LIMIT, p.line, MOD_MANIFEST_MAX_LINE + 1,
                                   "line longer than %u bytes", MOD_MANIFEST_MAX_LINE);
        status = check_bytes(&p, line, length);
        if (!status)
            status = split_words(&p, line, length);
        if (!status && p.word_count)
            status = parse_directive(&p);
    }
    return status ? status : finish(&p);
}
