/* manifest_parser.h — the manifest parser's state, shared by its two files:
 * manifest.c (lines, words, top-level directives, names, the entry point)
 * and manifest_block.c (export and import blocks and their fields).
 * Private to those files; the interface is manifest.h.
 */
#pragma once
#include "modload/contract/manifest.h"

struct mod_manifest_word {
    const char *start;
    size_t length;
    uint32_t column;
};

/* Fields of a block, as bit positions in fields_seen. */
enum mod_manifest_field {
    FIELD_CONTEXT,
    FIELD_SLEEPS,
    FIELD_REENTRANT,
    FIELD_USER_CALLABLE,
    FIELD_UPDATE,
    FIELD_ACQUIRES,
    FIELD_CALLER_HOLDS,
    FIELD_HOLDS,
    FIELD_RUNS,
    FIELD_PROTOTYPE,
    FIELD_COUNT
};

struct mod_manifest_parser {
    struct mod_manifest *manifest;
    const char *file;
    struct mod_manifest_error *err;
    uint32_t line;
    uint32_t word_count;
    struct mod_manifest_word words[MOD_MANIFEST_MAX_WORDS];
    struct mod_contract *block; /* open export/import/method, or NULL */
    const char *block_kind;     /* "export", "import" or "method" */
    uint32_t fields_seen;
    uint32_t field_line[FIELD_COUNT];
    uint32_t module_line, version_line, state_line, transfer_line;
    uint32_t lock_define_line[MOD_MANIFEST_MAX_LOCK_NAMES];
    uint32_t lock_first_line[MOD_MANIFEST_MAX_LOCK_NAMES];
    uint32_t lock_first_column[MOD_MANIFEST_MAX_LOCK_NAMES];
};

#define FAIL_WORD(p, code, i, ...) \
    mod_parser_fail((p), (code), (p)->line, (p)->words[i].column, __VA_ARGS__)
#define WORD(p, i) (p)->words[i].start, (p)->words[i].length

/* Records the first error: "FILE:LINE:COLUMN: " (column omitted when 0),
 * then "export 'NAME': " inside a block, then the formatted text (the
 * small printf of text.h). Returns code. */
enum mod_manifest_status mod_parser_fail(struct mod_manifest_parser *p,
                                         enum mod_manifest_status code, uint32_t line,
                                         uint32_t column, const char *format, ...);

bool mod_parser_word_is(const struct mod_manifest_word *w, const char *s);
bool mod_parser_is_identifier(const char *s, size_t n);

/* Checks word i as a name of a kind ("symbol name", ...) no longer than
 * limit that valid() accepts. */
enum mod_manifest_status mod_parser_check_name(struct mod_manifest_parser *p, uint32_t i,
                                               const char *kind, size_t limit,
                                               bool (*valid)(const char *, size_t));

/* Validates word i as a lock class and returns its index in lock_names
 * (adding it on first use) in *index. */
enum mod_manifest_status mod_parser_intern_lock(struct mod_manifest_parser *p, uint32_t i,
                                                uint8_t *index);

/* Checks that the line has exactly count words after its key; what says
 * what they are, for the message. */
enum mod_manifest_status mod_parser_expect_words(struct mod_manifest_parser *p, uint32_t count,
                                                 const char *what);

/* manifest_block.c: `export NAME {` / `import NAME {`, a field line, `}`. */
enum mod_manifest_status mod_parser_open_block(struct mod_manifest_parser *p, bool is_export);
enum mod_manifest_status mod_parser_field(struct mod_manifest_parser *p);
enum mod_manifest_status mod_parser_close_block(struct mod_manifest_parser *p);

/* manifest_claims.c: `claims pci V:D`, `claims ports A-B`, `claims irq N`. */
enum mod_manifest_status mod_parser_claims(struct mod_manifest_parser *p);
/* manifest_interfaces.c: `interface IID M.N`, `method NAME {` (a block of
 * the interface named last), `implements IID M.N CLSID`; and the checks
 * at the end of the text. */
enum mod_manifest_status mod_parser_interface(struct mod_manifest_parser *p);
enum mod_manifest_status mod_parser_method(struct mod_manifest_parser *p);
enum mod_manifest_status mod_parser_implements(struct mod_manifest_parser *p);
enum mod_manifest_status mod_parser_finish_interfaces(struct mod_manifest_parser *p);
/* A decimal number in [min, max] without sign or leading zeros. */
bool mod_parser_number(const char *s, size_t n, uint32_t min, uint32_t max, uint32_t *value);
/* MAJOR.MINOR of word i into *major, *minor (false: not one). */
bool mod_parser_version(const struct mod_manifest_word *w, uint16_t *major, uint16_t *minor);
