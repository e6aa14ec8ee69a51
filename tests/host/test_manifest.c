/* test_manifest.c — the manifest parser and canonical printer
 * (modload/manifest.c, manifest_print.c): every field, every error with its
 * exact message, and the round trip parse(print(parse(x))) == parse(x).
 * The contract rules are tested in test_contract.c. Example manifests live
 * in tests/host/data/manifests/.
 */
#include "htest.h"
#include "modload/contract/manifest.h"
#include <stdio.h>
#include <stdlib.h>

#define HEAD "module m\nversion 1.0\n"
#define FIELDS \
    "  context any\n  sleeps never\n  reentrant yes\n  user-callable no\n  update concurrent\n"
#define EXPORT(name, body) "export " name " {\n" body "}\n"
#define IMPORT(name, body) "import " name " {\n" body "}\n"

static struct mod_manifest manifest, again;
static struct mod_manifest_error error;

static enum mod_manifest_status parse_bytes(struct mod_manifest *m, const char *text, size_t size)
{
    return mod_manifest_parse(m, text, size, "t.wisp", &error);
}

static enum mod_manifest_status parse(struct mod_manifest *m, const char *text)
{
    return parse_bytes(m, text, strlen(text));
}

/* Reads an example manifest into a static buffer; NULL if unreadable. */
static const char *read_example(const char *name, size_t *size)
{
    static char text[MOD_MANIFEST_MAX_SIZE + 1];
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", MANIFEST_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    *size = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[*size] = '\0';
    return text;
}

#define EXPECT_PARSE_ERROR(text, code_, message_) \
    do { \
        EXPECT_EQ(parse(&manifest, text), code_); \
        EXPECT_EQ(error.code, code_); \
        EXPECT_STREQ(error.message, message_); \
    } while (0)

/* ------------------------------------------------------------ fields */

HTEST(manifest_parses_the_counter_example)
{
    size_t size;
    const char *text = read_example("counter.wisp", &size);
    ASSERT_NOT_NULL(text);
    ASSERT_EQ(mod_manifest_parse(&manifest, text, size, "counter.wisp", &error), MOD_MANIFEST_OK);
    EXPECT_STREQ(manifest.name, "counter");
    EXPECT_EQ(manifest.version_major, 1);
    EXPECT_EQ(manifest.version_minor, 2);
    EXPECT_EQ(manifest.state_version, 2);
    ASSERT_EQ(manifest.transfer_count, 2);
    EXPECT_EQ(manifest.transfer_from[0], 1);
    EXPECT_EQ(manifest.transfer_from[1], 2);
    int total = mod_manifest_find_lock(&manifest, "counter.total");
    int output = mod_manifest_find_lock(&manifest, "console.output");
    ASSERT_GE(total, 0);
    ASSERT_GE(output, 0);
    EXPECT_EQ(manifest.defines, 1u << total);
    ASSERT_EQ(manifest.order_count, 1);
    EXPECT_EQ(manifest.orders[0].before, total);
    EXPECT_EQ(manifest.orders[0].after, output);
    EXPECT_EQ(manifest.orders[0].line, 8);
    ASSERT_EQ(manifest.export_count, 2);
    const struct mod_contract *add = &manifest.exports[0];
    EXPECT_STREQ(add->symbol, "counter_add");
    EXPECT_EQ(add->line, 10);
    EXPECT_EQ(add->context, MOD_CONTEXT_ANY);
    EXPECT_EQ(add->sleeps, MOD_SLEEPS_NEVER);
    EXPECT_TRUE(add->reentrant);
    EXPECT_TRUE(add->user_callable);
    EXPECT_EQ(add->update, MOD_UPDATE_CONCURRENT);
    EXPECT_EQ(add->acquires, 1u << total);
    EXPECT_EQ(add->caller_holds, 0);
    const struct mod_contract *read = &manifest.exports[1];
    EXPECT_EQ(mod_manifest_find_export(&manifest, "counter_read"), 1);
    EXPECT_EQ(read->context, MOD_CONTEXT_PROCESS);
    EXPECT_EQ(read->sleeps, MOD_SLEEPS_MAY);
    ASSERT_EQ(manifest.import_count, 1);
    const struct mod_contract *write = &manifest.imports[0];
    EXPECT_EQ(mod_manifest_find_import(&manifest, "console_write"), 0);
    EXPECT_EQ(mod_manifest_find_import(&manifest, "counter_add"), -1);
    EXPECT_EQ(write->context, MOD_CONTEXT_PROCESS);
    EXPECT_EQ(write->sleeps, MOD_SLEEPS_MAY);
    EXPECT_TRUE(write->reentrant);
    EXPECT_FALSE(write->user_callable);
    EXPECT_EQ(write->update, MOD_UPDATE_QUIESCENT);
    EXPECT_EQ(write->holds, 1u << total);
}

HTEST(manifest_parses_every_example)
{
    static const char *const names[] = { "counter.wisp", "counter-v2.wisp", "console.wisp",
                                         "clock.wisp" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t size;
        const char *text = read_example(names[i], &size);
        ASSERT_NOT_NULL(text);
        EXPECT_EQ(mod_manifest_parse(&manifest, text, size, names[i], &error), MOD_MANIFEST_OK);
        EXPECT_STREQ(error.message, "");
    }
}

HTEST(manifest_parses_every_value_of_every_field)
{
    static const struct {
        const char *field;
        int value;
    } cases[] = {
        { "  context process\n  sleeps may\n  reentrant no\n  user-callable yes\n"
          "  update quiescent\n",
          0 },
        { "  context interrupt\n  sleeps never\n  reentrant yes\n  user-callable no\n"
          "  update never\n",
          1 },
        { "  context any\n  sleeps never\n  reentrant no\n  user-callable yes\n"
          "  update concurrent\n",
          2 },
    };
    static const enum mod_context contexts[] = { MOD_CONTEXT_PROCESS, MOD_CONTEXT_INTERRUPT,
                                                 MOD_CONTEXT_ANY };
    static const enum mod_sleeps sleeps[] = { MOD_SLEEPS_MAY, MOD_SLEEPS_NEVER, MOD_SLEEPS_NEVER };
    static const bool reentrant[] = { false, true, false };
    static const bool user[] = { true, false, true };
    static const enum mod_update_policy update[] = { MOD_UPDATE_QUIESCENT, MOD_UPDATE_NEVER,
                                                     MOD_UPDATE_CONCURRENT };
    for (int i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof(text), HEAD "export f {\n%s}\nimport g {\n%s}\n", cases[i].field,
                 cases[i].field);
        ASSERT_EQ(parse(&manifest, text), MOD_MANIFEST_OK);
        for (int side = 0; side < 2; side++) {
            const struct mod_contract *c = side ? &manifest.imports[0] : &manifest.exports[0];
            EXPECT_EQ(c->context, contexts[i]);
            EXPECT_EQ(c->sleeps, sleeps[i]);
            EXPECT_EQ(c->reentrant, reentrant[i]);
            EXPECT_EQ(c->user_callable, user[i]);
            EXPECT_EQ(c->update, update[i]);
        }
    }
}

HTEST(manifest_parses_lock_lists_of_exports_and_imports)
{
    ASSERT_EQ(parse(&manifest, HEAD "lock m.a\nlock m.b\n" EXPORT(
                                   "f", FIELDS "  acquires m.a x.y\n  caller-holds m.b\n")
                                   IMPORT("g", FIELDS "  holds m.b x.z m.a\n")),
              MOD_MANIFEST_OK);
    int a = mod_manifest_find_lock(&manifest, "m.a"), b = mod_manifest_find_lock(&manifest, "m.b");
    int y = mod_manifest_find_lock(&manifest, "x.y"), z = mod_manifest_find_lock(&manifest, "x.z");
    EXPECT_EQ(manifest.lock_name_count, 4);
    EXPECT_EQ(mod_manifest_find_lock(&manifest, "x.w"), -1);
    EXPECT_EQ(manifest.defines, 1u << a | 1u << b);
    EXPECT_EQ(manifest.exports[0].acquires, 1u << a | 1u << y);
    EXPECT_EQ(manifest.exports[0].caller_holds, 1u << b);
    EXPECT_EQ(manifest.imports[0].holds, 1u << a | 1u << b | 1u << z);
}

HTEST(manifest_state_none_and_absent_mean_stateless)
{
    ASSERT_EQ(parse(&manifest, HEAD "state none\n"), MOD_MANIFEST_OK);
    EXPECT_EQ(manifest.state_version, 0);
    ASSERT_EQ(parse(&manifest, HEAD), MOD_MANIFEST_OK);
    EXPECT_EQ(manifest.state_version, 0);
    EXPECT_EQ(manifest.transfer_count, 0);
    ASSERT_EQ(parse(&manifest, HEAD "state 65535\ntransfer-from 9 3 65535\n"), MOD_MANIFEST_OK);
    EXPECT_EQ(manifest.state_version, 65535);
    ASSERT_EQ(manifest.transfer_count, 3);
    EXPECT_EQ(manifest.transfer_from[0], 3); /* kept sorted */
    EXPECT_EQ(manifest.transfer_from[1], 9);
    EXPECT_EQ(manifest.transfer_from[2], 65535);
}

HTEST(manifest_accepts_comments_tabs_blank_lines_and_no_final_newline)
{
    ASSERT_EQ(parse(&manifest, "# header\n\n\tmodule\tm   # caf\xc3\xa9\n   \n"
                               "version 0.65535#x\nexport f{"
                               "\n" FIELDS "}# end"),
              MOD_MANIFEST_OK);
    EXPECT_STREQ(manifest.name, "m");
    EXPECT_EQ(manifest.version_minor, 65535);
    EXPECT_EQ(manifest.exports[0].line, 6);
}

HTEST(manifest_splits_words_at_braces_and_less_than)
{
    ASSERT_EQ(parse(&manifest, HEAD "lock m.a\norder m.a<x.b\nexport f{\n" FIELDS "}\n"),
              MOD_MANIFEST_OK);
    EXPECT_EQ(manifest.order_count, 1);
    EXPECT_EQ(manifest.export_count, 1);
}

HTEST(manifest_module_names_may_hold_digits_dashes_and_underscores)
{
    ASSERT_EQ(parse(&manifest, "module my-mod_2\nversion 1.0\nlock my-mod_2.state_lock\n"),
              MOD_MANIFEST_OK);
    EXPECT_STREQ(manifest.name, "my-mod_2");
    EXPECT_EQ(manifest.defines, 1u);
}

/* `count` distinct acyclic orders over the classes x.c0 .. x.c8. */
static char *print_orders(char *p, unsigned count)
{
    for (unsigned i = 0; i < 9 && count; i++)
        for (unsigned j = i + 1; j < 9 && count; j++, count--)
            p += sprintf(p, "order x.c%u < x.c%u\n", i, j);
    return p;
}

HTEST(manifest_accepts_every_limit_exactly)
{
    static char text[MOD_MANIFEST_MAX_SIZE];
    char *p = text;
    p += sprintf(p, "module abcdefghijabcdefghijabcdefghija\nversion 1.0\n");
    for (unsigned i = 0; i < MOD_MANIFEST_MAX_EXPORTS; i++)
        p += sprintf(p, "export e%u {\n" FIELDS "}\n", i);
    for (unsigned i = 0; i < MOD_MANIFEST_MAX_IMPORTS; i++)
        p += sprintf(p, "import i%u {\n" FIELDS "}\n", i);
    p = print_orders(p, MOD_MANIFEST_MAX_ORDERS);
    EXPECT_EQ(parse(&manifest, text), MOD_MANIFEST_OK);
    EXPECT_STREQ(error.message, "");
    EXPECT_EQ(manifest.export_count, MOD_MANIFEST_MAX_EXPORTS);
    EXPECT_EQ(manifest.import_count, MOD_MANIFEST_MAX_IMPORTS);
    EXPECT_EQ(manifest.order_count, MOD_MANIFEST_MAX_ORDERS);
    EXPECT_EQ(manifest.lock_name_count, 9);
    /* 32 lock classes. */
    p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i < MOD_MANIFEST_MAX_LOCK_NAMES; i += 2)
        p += sprintf(p, "order x.a%u < x.b%u\n", i, i);
    EXPECT_EQ(parse(&manifest, text), MOD_MANIFEST_OK);
    EXPECT_EQ(manifest.lock_name_count, MOD_MANIFEST_MAX_LOCK_NAMES);
    /* A 63-character symbol. */
    EXPECT_EQ(parse(&manifest, HEAD
                    "export "
                    "a12345678901234567890123456789012345678901234567890123456789012 {\n" FIELDS
                    "}\n"),
              MOD_MANIFEST_OK);
}

/* ------------------------------------------------------------ errors: bytes */

HTEST(manifest_refuses_empty_and_oversize_input)
{
    EXPECT_PARSE_ERROR("", MOD_MANIFEST_E_SIZE, "t.wisp: empty manifest");
    char *big = malloc(MOD_MANIFEST_MAX_SIZE + 1);
    ASSERT_NOT_NULL(big);
    memset(big, '#', MOD_MANIFEST_MAX_SIZE + 1);
    EXPECT_EQ(parse_bytes(&manifest, big, MOD_MANIFEST_MAX_SIZE + 1), MOD_MANIFEST_E_SIZE);
    EXPECT_STREQ(error.message, "t.wisp: manifest is 65537 bytes, the limit is 65536");
    free(big);
}

HTEST(manifest_refuses_nul_bytes)
{
    static const char text[] = "module m\nversion 1.0\0\n";
    EXPECT_EQ(parse_bytes(&manifest, text, sizeof(text) - 1), MOD_MANIFEST_E_CHARACTER);
    EXPECT_STREQ(error.message, "t.wisp:2:12: NUL byte");
    EXPECT_EQ(error.line, 2);
    EXPECT_EQ(error.column, 12);
    static const char in_comment[] = "module m # \0\n";
    EXPECT_EQ(parse_bytes(&manifest, in_comment, sizeof(in_comment) - 1), MOD_MANIFEST_E_CHARACTER);
    EXPECT_STREQ(error.message, "t.wisp:1:12: NUL byte");
}

HTEST(manifest_refuses_crlf_line_endings)
{
    EXPECT_PARSE_ERROR("module m\r\nversion 1.0\r\n", MOD_MANIFEST_E_CHARACTER,
                       "t.wisp:1:9: carriage return (lines must end with LF alone, not CRLF)");
}

HTEST(manifest_refuses_control_and_non_ascii_bytes_outside_comments)
{
    EXPECT_PARSE_ERROR("module m\x01\n", MOD_MANIFEST_E_CHARACTER,
                       "t.wisp:1:9: bad character 0x01");
    EXPECT_PARSE_ERROR("module m\x7f\n", MOD_MANIFEST_E_CHARACTER,
                       "t.wisp:1:9: bad character 0x7f");
    EXPECT_PARSE_ERROR("module m\xc3\xa9\n", MOD_MANIFEST_E_CHARACTER,
                       "t.wisp:1:9: bad character 0xc3 (non-ASCII bytes are allowed in "
                       "comments only)");
    EXPECT_PARSE_ERROR("module m # \x1b[0m\n", MOD_MANIFEST_E_CHARACTER,
                       "t.wisp:1:12: bad character 0x1b");
}

HTEST(manifest_refuses_overlong_lines_and_too_many_words)
{
    static char text[MOD_MANIFEST_MAX_LINE + 64];
    memset(text, ' ', sizeof(text));
    memcpy(text, "module m", 8);
    text[MOD_MANIFEST_MAX_LINE + 1] = '\n';
    EXPECT_EQ(parse_bytes(&manifest, text, MOD_MANIFEST_MAX_LINE + 2), MOD_MANIFEST_E_LIMIT);
    EXPECT_STREQ(error.message, "t.wisp:1:1025: line longer than 1024 bytes");
    /* Exactly the limit is fine. */
    text[MOD_MANIFEST_MAX_LINE] = '\n';
    EXPECT_EQ(parse_bytes(&manifest, text, MOD_MANIFEST_MAX_LINE + 1), MOD_MANIFEST_E_MISSING);
    EXPECT_PARSE_ERROR(HEAD "a b c d e f g h i j k l m n o p q\n", MOD_MANIFEST_E_LIMIT,
                       "t.wisp:3:33: more than 16 words on one line");
}

HTEST(manifest_errors_without_file_name_or_error_record)
{
    EXPECT_EQ(mod_manifest_parse(&manifest, "version 1.0\n", 12, NULL, &error),
              MOD_MANIFEST_E_SYNTAX);
    EXPECT_STREQ(error.message,
                 "manifest:1:1: expected 'module NAME' as the first directive, found 'version'");
    EXPECT_EQ(mod_manifest_parse(&manifest, "x", 1, "t", NULL), MOD_MANIFEST_E_SYNTAX);
    EXPECT_EQ(mod_manifest_parse(&manifest, HEAD, strlen(HEAD), "t", NULL), MOD_MANIFEST_OK);
}

/* ------------------------------------------------------------ errors: directives */

HTEST(manifest_requires_module_first_then_version)
{
    EXPECT_PARSE_ERROR("# only a comment\n", MOD_MANIFEST_E_MISSING,
                       "t.wisp: no 'module NAME' directive");
    EXPECT_PARSE_ERROR("version 1.0\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:1:1: expected 'module NAME' as the first directive, found "
                       "'version'");
    EXPECT_PARSE_ERROR("module m\n", MOD_MANIFEST_E_MISSING,
                       "t.wisp: no 'version MAJOR.MINOR' directive");
}

HTEST(manifest_refuses_bad_module_names)
{
    EXPECT_PARSE_ERROR("module 1abc\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:1:8: bad module name '1abc'");
    EXPECT_PARSE_ERROR("module a.b\n", MOD_MANIFEST_E_SYNTAX, "t.wisp:1:8: bad module name 'a.b'");
    EXPECT_PARSE_ERROR("module abcdefghijabcdefghijabcdefghijab\n", MOD_MANIFEST_E_LIMIT,
                       "t.wisp:1:8: module name 'abcdefghijabcdefghijabcdefghijab' is 32 "
                       "characters long, the limit is 31");
    EXPECT_PARSE_ERROR("module\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:1:7: expected a module name after 'module', found end of line");
    EXPECT_PARSE_ERROR("module a b\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:1:10: unexpected 'b': 'module' takes a module name only");
}

HTEST(manifest_refuses_directives_given_twice)
{
    EXPECT_PARSE_ERROR(HEAD "module x\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:3:1: 'module' given twice (first on line 1)");
    EXPECT_PARSE_ERROR(HEAD "version 2.0\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:3:1: 'version' given twice (first on line 2)");
    EXPECT_PARSE_ERROR(HEAD "state 1\nstate 1\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:4:1: 'state' given twice (first on line 3)");
    EXPECT_PARSE_ERROR(HEAD "state 1\ntransfer-from 1\ntransfer-from 2\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:5:1: 'transfer-from' given twice (first on line 4)");
}

HTEST(manifest_refuses_bad_versions)
{
    static const char *const bad[] = { "1", "1.", ".1", "01.0", "1.65536", "-1.0", "1.0.0", "a.b" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[64], expected[160];
        snprintf(text, sizeof(text), "module m\nversion %s\n", bad[i]);
        snprintf(expected, sizeof(expected),
                 "t.wisp:2:9: expected MAJOR.MINOR (each 0..65535) after 'version', found '%s'",
                 bad[i]);
        EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_SYNTAX, expected);
    }
}

HTEST(manifest_refuses_bad_state_versions)
{
    EXPECT_PARSE_ERROR(HEAD "state 0\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:7: expected 'none' or a state version 1..65535 after 'state', "
                       "found '0'");
    EXPECT_PARSE_ERROR(HEAD "state 65536\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:7: expected 'none' or a state version 1..65535 after 'state', "
                       "found '65536'");
    EXPECT_PARSE_ERROR(HEAD "state\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:6: expected 'none' or a state version after 'state', found end "
                       "of line");
    EXPECT_PARSE_ERROR(HEAD "state none 2\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:12: unexpected '2': 'state' takes 'none' or a state version "
                       "only");
}

HTEST(manifest_refuses_bad_transfer_lists)
{
    EXPECT_PARSE_ERROR(HEAD "state 1\ntransfer-from 1 x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:17: expected a state version 1..65535 after 'transfer-from', "
                       "found 'x'");
    EXPECT_PARSE_ERROR(HEAD "state 1\ntransfer-from 1 1\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:4:17: 'transfer-from' names version 1 twice");
    EXPECT_PARSE_ERROR(HEAD "state 1\ntransfer-from 1 2 3 4 5 6 7 8 9\n", MOD_MANIFEST_E_LIMIT,
                       "t.wisp:4:31: more than 8 versions after 'transfer-from'");
    EXPECT_PARSE_ERROR(HEAD "state 1\ntransfer-from\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:14: expected one or more state versions after 'transfer-from', "
                       "found end of line");
    EXPECT_PARSE_ERROR(HEAD "transfer-from 1\n", MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:3: 'transfer-from' needs a state version ('state N'), the module "
                       "is stateless");
}

HTEST(manifest_refuses_bad_lock_definitions)
{
    EXPECT_PARSE_ERROR(HEAD "lock other.x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:6: lock class 'other.x' must be named 'm.NAME' (a class is "
                       "named after the module that defines it)");
    EXPECT_PARSE_ERROR(HEAD "lock m.x\nlock m.x\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:4:6: lock class 'm.x' defined twice (first on line 3)");
    EXPECT_PARSE_ERROR(HEAD "lock m\n", MOD_MANIFEST_E_SYNTAX, "t.wisp:3:6: bad lock class 'm'");
    EXPECT_PARSE_ERROR(HEAD "lock m.1x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:6: bad lock class 'm.1x'");
    EXPECT_PARSE_ERROR(HEAD "lock m.a.b\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:6: bad lock class 'm.a.b'");
    EXPECT_PARSE_ERROR(HEAD "lock m.abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
                            "abcdefghijab\n",
                       MOD_MANIFEST_E_LIMIT,
                       "t.wisp:3:6: lock class 'm.abcdefghijabcdefghijabcdefghijabcdefgh...' is "
                       "64 characters long, the limit is 63");
}

HTEST(manifest_refuses_classes_named_after_the_module_but_undefined)
{
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", FIELDS "  acquires x.y m.z\n"), MOD_MANIFEST_E_MISSING,
                       "t.wisp:9:16: lock class 'm.z' is named after this module but no "
                       "'lock m.z' line defines it");
}

HTEST(manifest_refuses_bad_orders)
{
    EXPECT_PARSE_ERROR(HEAD "order m.a m.b\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:11: expected '<' between the two lock classes, found 'm.b'");
    EXPECT_PARSE_ERROR(HEAD "order m.a <\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:12: expected 'CLASS < CLASS' after 'order', found end of line");
    EXPECT_PARSE_ERROR(HEAD "lock m.a\norder m.a < m.a\n", MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:4:13: lock class 'm.a' ordered before itself");
    EXPECT_PARSE_ERROR(HEAD "lock m.a\norder m.a < x.b\norder m.a < x.b\n",
                       MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:5:1: order 'm.a < x.b' given twice (first on line 4)");
    EXPECT_PARSE_ERROR(HEAD "order x.a < x.b extra\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:17: unexpected 'extra': 'order' takes 'CLASS < CLASS' only");
    EXPECT_PARSE_ERROR(HEAD "order x.a < 1\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:13: bad lock class '1'");
}

HTEST(manifest_refuses_unknown_directives_and_stray_braces)
{
    EXPECT_PARSE_ERROR(HEAD "exports f {\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:3:1: unknown directive 'exports' (expected 'module', 'version', "
                       "'state', 'transfer-from', 'lock', 'order', 'export', 'import', 'claims', "
                       "'interface', 'method' or 'implements')");
    EXPECT_PARSE_ERROR(HEAD "}\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:1: '}' without an open export or import");
    EXPECT_PARSE_ERROR(HEAD "context any\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:3:1: unknown directive 'context' (expected 'module', 'version', "
                       "'state', 'transfer-from', 'lock', 'order', 'export', 'import', 'claims', "
                       "'interface', 'method' or 'implements')");
}

HTEST(manifest_refuses_directives_over_their_limits)
{
    static char text[MOD_MANIFEST_MAX_SIZE];
    char *p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i <= MOD_MANIFEST_MAX_EXPORTS; i++)
        p += sprintf(p, "export e%u {\n" FIELDS "}\n", i);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:675:1: more than 96 exports");
    p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i <= MOD_MANIFEST_MAX_IMPORTS; i++)
        p += sprintf(p, "import e%u {\n" FIELDS "}\n", i);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:227:1: more than 32 imports");
    p = text + sprintf(text, HEAD);
    p = print_orders(p, MOD_MANIFEST_MAX_ORDERS + 1);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:35:1: more than 32 'order' lines");
    p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i < MOD_MANIFEST_MAX_LOCK_NAMES; i += 2)
        p += sprintf(p, "order x.a%u < x.b%u\n", i, i);
    p += sprintf(p, "order x.c < x.d\n");
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT,
                       "t.wisp:19:7: more than 32 lock classes named in one manifest");
}

/* ------------------------------------------------------------ errors: blocks */

HTEST(manifest_refuses_bad_block_openings)
{
    EXPECT_PARSE_ERROR(HEAD "export f\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:9: expected a symbol name and '{' after 'export', found end of "
                       "line");
    EXPECT_PARSE_ERROR(HEAD "export {\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:9: expected a symbol name and '{' after 'export', found end of "
                       "line");
    EXPECT_PARSE_ERROR(HEAD "import f x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:10: expected '{' after 'import f', found 'x'");
    EXPECT_PARSE_ERROR(HEAD "export f { x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:12: unexpected 'x': 'export' takes a symbol name and '{' only");
    EXPECT_PARSE_ERROR(HEAD "export 1f {\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:8: bad symbol name '1f'");
    EXPECT_PARSE_ERROR(HEAD "export a.b {\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:8: bad symbol name 'a.b'");
    EXPECT_PARSE_ERROR(HEAD "export "
                            "a123456789012345678901234567890123456789012345678901234567890123 {\n",
                       MOD_MANIFEST_E_LIMIT,
                       "t.wisp:3:8: symbol name 'a123456789012345678901234567890123456789...' "
                       "is 64 characters long, the limit is 63");
}

HTEST(manifest_refuses_duplicate_exports_and_imports)
{
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", FIELDS) EXPORT("f", FIELDS), MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:10:8: export 'f' declared twice (first on line 3)");
    EXPECT_PARSE_ERROR(HEAD IMPORT("g", FIELDS) IMPORT("g", FIELDS), MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:10:8: import 'g' declared twice (first on line 3)");
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", FIELDS) IMPORT("f", FIELDS), MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:10:8: 'f' is both exported and imported (line 3)");
    EXPECT_PARSE_ERROR(HEAD IMPORT("f", FIELDS) EXPORT("f", FIELDS), MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:10:8: 'f' is both exported and imported (line 3)");
}

HTEST(manifest_refuses_a_bad_field_value_naming_the_export)
{
    EXPECT_PARSE_ERROR(HEAD "export counter_add {\n  context any\n  sleeps maybe\n",
                       MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:5:10: export 'counter_add': expected 'may' or 'never' after "
                       "'sleeps', found 'maybe'");
    EXPECT_PARSE_ERROR(HEAD "import g {\n  context kernel\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:11: import 'g': expected 'process', 'interrupt' or 'any' after "
                       "'context', found 'kernel'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  reentrant maybe\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:13: export 'f': expected 'yes' or 'no' after 'reentrant', "
                       "found 'maybe'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  user-callable 1\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:17: export 'f': expected 'yes' or 'no' after 'user-callable', "
                       "found '1'");
    EXPECT_PARSE_ERROR(
        HEAD "export f {\n  update hot\n", MOD_MANIFEST_E_SYNTAX,
        "t.wisp:4:10: export 'f': expected 'concurrent', 'quiescent' or 'never' after "
        "'update', found 'hot'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  context\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:10: export 'f': expected 'process', 'interrupt' or 'any' after "
                       "'context', found end of line");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  context any now\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:15: export 'f': unexpected 'now': 'context' takes 'process', "
                       "'interrupt' or 'any' only");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  acquires\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:11: export 'f': expected one or more lock classes after "
                       "'acquires', found end of line");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  acquires nodot\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:12: export 'f': bad lock class 'nodot'");
}

HTEST(manifest_refuses_unknown_and_misplaced_fields)
{
    EXPECT_PARSE_ERROR(HEAD "export f {\n  colour red\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:4:3: export 'f': unknown field 'colour' (expected 'context', "
                       "'sleeps', 'reentrant', 'user-callable', 'update', 'acquires', "
                       "'caller-holds', 'runs' or 'prototype')");
    EXPECT_PARSE_ERROR(HEAD "import f {\n  acquires x.y\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:4:3: import 'f': unknown field 'acquires' (expected 'context', "
                       "'sleeps', 'reentrant', 'user-callable', 'update' or 'holds')");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  holds x.y\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:4:3: export 'f': unknown field 'holds' (expected 'context', "
                       "'sleeps', 'reentrant', 'user-callable', 'update', 'acquires', "
                       "'caller-holds', 'runs' or 'prototype')");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  module x\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:4:3: export 'f': unknown field 'module' (expected 'context', "
                       "'sleeps', 'reentrant', 'user-callable', 'update', 'acquires', "
                       "'caller-holds', 'runs' or 'prototype')");
}

/* The policy word of earlier manifests is refused, naming the new one. */
HTEST(manifest_refuses_the_old_word_update_live_naming_concurrent)
{
    EXPECT_PARSE_ERROR(HEAD "export f {\n  update live\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:10: export 'f': 'update live' is now 'update concurrent' "
                       "(callers never wait during a swap); write 'update concurrent'");
}

HTEST(manifest_refuses_fields_given_twice)
{
    static const char *const fields[] = {
        "context any",       "sleeps never", "reentrant yes",    "user-callable no",
        "update concurrent", "acquires x.a", "caller-holds x.b",
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        char text[256], expected[160];
        snprintf(text, sizeof(text), HEAD "export f {\n  %s\n  %s\n", fields[i], fields[i]);
        snprintf(expected, sizeof(expected),
                 "t.wisp:5:3: export 'f': field '%.*s' given twice (first on line 4)",
                 (int)strcspn(fields[i], " "), fields[i]);
        EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_DUPLICATE, expected);
    }
    EXPECT_PARSE_ERROR(HEAD "import f {\n  holds x.a\n  holds x.b\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:5:3: import 'f': field 'holds' given twice (first on line 4)");
}

HTEST(manifest_refuses_blocks_missing_a_required_field)
{
    static const char *const fields[] = {
        "context any", "sleeps never", "reentrant yes", "user-callable no", "update concurrent",
    };
    for (size_t skip = 0; skip < 5; skip++) {
        char text[256], expected[200];
        char *p = text + sprintf(text, HEAD "import f {\n");
        for (size_t i = 0; i < 5; i++)
            if (i != skip)
                p += sprintf(p, "  %s\n", fields[i]);
        sprintf(p, "}\n");
        snprintf(expected, sizeof(expected),
                 "t.wisp:8:1: import 'f': missing field '%.*s' (required: context, sleeps, "
                 "reentrant, user-callable, update)",
                 (int)strcspn(fields[skip], " "), fields[skip]);
        EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_MISSING, expected);
    }
}

HTEST(manifest_refuses_contradictory_fields)
{
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", "  context interrupt\n  sleeps may\n  reentrant yes\n"
                                        "  user-callable no\n  update concurrent\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:5: export 'f': 'context interrupt' (line 4) requires 'sleeps "
                       "never'");
    EXPECT_PARSE_ERROR(HEAD IMPORT("f", "  sleeps may\n  context any\n  reentrant yes\n"
                                        "  user-callable no\n  update concurrent\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:4: import 'f': 'context any' (line 5) requires 'sleeps never'");
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", "  context interrupt\n  sleeps never\n  reentrant yes\n"
                                        "  user-callable yes\n  update concurrent\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:7: export 'f': 'user-callable yes' requires context 'process' or "
                       "'any', not 'interrupt' (line 4)");
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", "  context any\n  sleeps never\n  reentrant yes\n"
                                        "  user-callable yes\n  update concurrent\n"
                                        "  caller-holds x.y\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:9: export 'f': 'user-callable yes' (line 7) and a lock class held "
                       "by the caller exclude each other");
    EXPECT_PARSE_ERROR(HEAD IMPORT("f", "  context any\n  sleeps never\n  reentrant yes\n"
                                        "  user-callable yes\n  update concurrent\n  holds x.y\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:9: import 'f': 'user-callable yes' (line 7) and a lock class held "
                       "by the caller exclude each other");
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", FIELDS "  acquires x.y\n  caller-holds x.y\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:9: export 'f': acquires 'x.y', which its caller must already "
                       "hold (line 10)");
}

HTEST(manifest_refuses_bad_lock_lists)
{
    EXPECT_PARSE_ERROR(HEAD "export f {\n  acquires x.y x.y\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:4:16: export 'f': 'acquires' names 'x.y' twice");
    EXPECT_PARSE_ERROR(HEAD "import f {\n  holds a.a b.b c.c d.d e.e f.f g.g h.h i.i\n",
                       MOD_MANIFEST_E_LIMIT,
                       "t.wisp:4:41: import 'f': more than 8 lock classes after 'holds'");
}

HTEST(manifest_refuses_unterminated_and_nested_blocks)
{
    EXPECT_PARSE_ERROR(HEAD "export f {\n  context any\n", MOD_MANIFEST_E_UNTERMINATED,
                       "t.wisp:3: export 'f': not closed: expected '}' before the end of the "
                       "input");
    EXPECT_PARSE_ERROR(HEAD "export f {\nimport g {\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:1: export 'f': expected '}' to close the block (opened on line "
                       "3) before 'import'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n" FIELDS "} x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:9:3: export 'f': unexpected 'x' after '}'");
}

HTEST(manifest_status_and_value_names)
{
    EXPECT_STREQ(mod_manifest_status_name(MOD_MANIFEST_OK), "ok");
    EXPECT_STREQ(mod_manifest_status_name(MOD_MANIFEST_E_UNTERMINATED), "unterminated block");
    EXPECT_STREQ(mod_manifest_status_name(MOD_MANIFEST_STATUS_COUNT), "unknown status");
    EXPECT_STREQ(mod_context_name(MOD_CONTEXT_ANY), "any");
    EXPECT_STREQ(mod_context_name((enum mod_context)0), "?");
    EXPECT_STREQ(mod_sleeps_name(MOD_SLEEPS_MAY), "may");
    EXPECT_STREQ(mod_update_policy_name(MOD_UPDATE_QUIESCENT), "quiescent");
}

/* ------------------------------------------------------------ printer */

static const char counter_canonical[] = "module counter\n"
                                        "version 1.2\n"
                                        "state 2\n"
                                        "transfer-from 1 2\n"
                                        "lock counter.total\n"
                                        "order counter.total < console.output\n"
                                        "\n"
                                        "export counter_add {\n"
                                        "  context any\n"
                                        "  sleeps never\n"
                                        "  reentrant yes\n"
                                        "  user-callable yes\n"
                                        "  update concurrent\n"
                                        "  acquires counter.total\n"
                                        "}\n"
                                        "\n"
                                        "export counter_read {\n"
                                        "  context process\n"
                                        "  sleeps may\n"
                                        "  reentrant yes\n"
                                        "  user-callable yes\n"
                                        "  update concurrent\n"
                                        "}\n"
                                        "\n"
                                        "import console_write {\n"
                                        "  context process\n"
                                        "  sleeps may\n"
                                        "  reentrant yes\n"
                                        "  user-callable no\n"
                                        "  update quiescent\n"
                                        "  holds counter.total\n"
                                        "}\n";

HTEST(manifest_prints_the_counter_example_in_canonical_form)
{
    static char out[4096];
    size_t size;
    const char *text = read_example("counter.wisp", &size);
    ASSERT_NOT_NULL(text);
    ASSERT_EQ(parse_bytes(&manifest, text, size), MOD_MANIFEST_OK);
    EXPECT_EQ(mod_manifest_print(&manifest, out, sizeof(out)), strlen(counter_canonical));
    EXPECT_STREQ(out, counter_canonical);
}

HTEST(manifest_prints_lock_sets_sorted_and_omits_empty_lists)
{
    static char out[4096];
    ASSERT_EQ(parse(&manifest, HEAD "state none\nlock m.z\nlock m.a\n" EXPORT(
                                   "f", FIELDS "  caller-holds x.c x.b\n  acquires m.z m.a\n")
                                   IMPORT("g", FIELDS)),
              MOD_MANIFEST_OK);
    mod_manifest_print(&manifest, out, sizeof(out));
    EXPECT_STREQ(out, "module m\nversion 1.0\nstate none\nlock m.a\nlock m.z\n\n"
                      "export f {\n" FIELDS "  acquires m.a m.z\n  caller-holds x.b x.c\n}\n\n"
                      "import g {\n" FIELDS "}\n");
}

HTEST(manifest_print_reports_the_full_length_when_truncated)
{
    char small[16];
    ASSERT_EQ(parse(&manifest, HEAD), MOD_MANIFEST_OK);
    size_t full = mod_manifest_print(&manifest, NULL, 0);
    EXPECT_EQ(full, strlen("module m\nversion 1.0\nstate none\n"));
    memset(small, 'x', sizeof(small));
    EXPECT_EQ(mod_manifest_print(&manifest, small, sizeof(small)), full);
    EXPECT_STREQ(small, "module m\nversio");
}

/* parse(print(parse(text))) prints the same canonical text again. */
static void expect_round_trip(struct htest_ctx *ctx, const char *text, size_t size)
{
    static char first[MOD_MANIFEST_MAX_SIZE], second[MOD_MANIFEST_MAX_SIZE];
    ASSERT_EQ(parse_bytes(&manifest, text, size), MOD_MANIFEST_OK);
    size_t length = mod_manifest_print(&manifest, first, sizeof(first));
    ASSERT_TRUE(length < sizeof(first));
    ASSERT_EQ(parse_bytes(&again, first, length), MOD_MANIFEST_OK);
    mod_manifest_print(&again, second, sizeof(second));
    EXPECT_STREQ(second, first);
    EXPECT_STREQ(again.name, manifest.name);
    EXPECT_EQ(again.export_count, manifest.export_count);
    EXPECT_EQ(again.import_count, manifest.import_count);
    EXPECT_EQ(again.order_count, manifest.order_count);
    EXPECT_EQ(again.lock_name_count, manifest.lock_name_count);
    EXPECT_EQ(again.state_version, manifest.state_version);
}

HTEST(manifest_round_trips_every_example)
{
    static const char *const names[] = { "counter.wisp", "counter-v2.wisp", "console.wisp",
                                         "clock.wisp" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t size;
        const char *text = read_example(names[i], &size);
        ASSERT_NOT_NULL(text);
        expect_round_trip(ctx, text, size);
    }
}

HTEST(manifest_round_trips_when_classes_are_named_before_defined)
{
    const char *text = HEAD "import g {\n" FIELDS "  holds x.b m.a\n}\n"
                            "order x.b < m.a\nlock m.a\nlock m.b\n"
                            "state 7\ntransfer-from 7 2\n" EXPORT("f", FIELDS "  acquires m.b\n");
    expect_round_trip(ctx, text, strlen(text));
}

/* ------------------------------------------------------------ ghost fields */

#define USER_FIELDS \
    "  context any\n  sleeps never\n  reentrant yes\n  user-callable yes\n  update concurrent\n"

HTEST(manifest_parses_runs_and_prototype_of_user_callable_exports)
{
    ASSERT_EQ(
        parse(&manifest,
              HEAD EXPORT("counter_add",
                          USER_FIELDS "  prototype uint64_t   counter_add(uint64_t n)\n")
                  EXPORT("clock_ns", USER_FIELDS "  runs user\n"
                                                 "  prototype uint64_t clock_ns(void)\n")
                      EXPORT("spawn", USER_FIELDS "  runs gate\n  prototype long spawn(const char "
                                                  "*name, size_t len, const char *const *argv, "
                                                  "size_t argc)\n")),
        MOD_MANIFEST_OK);
    EXPECT_STREQ(manifest.exports[0].prototype, "uint64_t counter_add(uint64_t n)");
    EXPECT_EQ(manifest.exports[0].runs, MOD_RUNS_GATE);
    EXPECT_EQ(manifest.exports[1].runs, MOD_RUNS_USER);
    EXPECT_STREQ(manifest.exports[2].prototype,
                 "long spawn(const char *name, size_t len, const char *const *argv, size_t argc)");
    EXPECT_STREQ(mod_runs_name(MOD_RUNS_USER), "user");
}

HTEST(manifest_round_trips_runs_and_prototype)
{
    const char *text =
        HEAD EXPORT("f", USER_FIELDS "  runs user\n  prototype void *f(int *a, long b)\n")
            EXPORT("g", USER_FIELDS "  prototype _Noreturn void g(void)\n");
    expect_round_trip(ctx, text, strlen(text));
}

HTEST(manifest_refuses_bad_prototypes_and_runs)
{
    EXPECT_PARSE_ERROR(HEAD "export f {\n  prototype\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:12: export 'f': expected a C declaration after 'prototype', "
                       "found end of line");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  prototype int f(int a[3])\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:23: export 'f': 'a[3])': a prototype has identifiers, '(', ')', "
                       "'*' and ',' only");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  prototype int g(void)\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:13: export 'f': prototype 'int g(void)' does not declare "
                       "'f(...)'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  prototype int f(void) x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:13: export 'f': prototype 'int f(void) x' does not declare "
                       "'f(...)'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  prototype int xf(void)\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:13: export 'f': prototype 'int xf(void)' does not declare "
                       "'f(...)'");
    EXPECT_PARSE_ERROR(HEAD "export f {\n  runs kernel\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:4:8: export 'f': expected 'gate' or 'user' after 'runs', found "
                       "'kernel'");
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", FIELDS "  runs user\n"), MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:9: export 'f': 'runs' is for user-callable exports only "
                       "('user-callable no', line 7)");
    EXPECT_PARSE_ERROR(HEAD EXPORT("f", FIELDS "  prototype int f(void)\n"),
                       MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:9: export 'f': 'prototype' is for user-callable exports only "
                       "('user-callable no', line 7)");
    EXPECT_PARSE_ERROR(HEAD "import f {\n  runs user\n", MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:4:3: import 'f': unknown field 'runs' (expected 'context', "
                       "'sleeps', 'reentrant', 'user-callable', 'update' or 'holds')");
}

HTEST(manifest_refuses_a_prototype_over_its_limit)
{
    static char text[1024];
    char words[400];
    size_t n = 0;
    for (int i = 0; i < 5; i++)
        n += (size_t)snprintf(words + n, sizeof(words) - n, "abcdefghijklmnopqrstuvwxyz_abcd ");
    snprintf(text, sizeof(text), HEAD "export f {\n  prototype %sf(void)\n", words);
    EXPECT_EQ(parse(&manifest, text), MOD_MANIFEST_E_LIMIT);
    EXPECT_NOT_NULL(strstr(error.message, "prototype longer than 127 bytes"));
}
