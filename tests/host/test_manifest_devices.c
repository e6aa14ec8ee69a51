/* test_manifest_devices.c — the device lines of the manifest parser
 * (modload/manifest_claims.c, manifest_interfaces.c): `claims`,
 * `interface`, `method` blocks and `implements`, every error with its
 * exact message, their limits, and the canonical round trip; and the
 * edu driver's manifest (modules/edu) with its test copy at 2.0.
 */
#include "htest.h"
#include "modload/contract/manifest.h"
#include "modload/contract/manifest_devices.h"
#include <stdio.h>
#include <stdlib.h>

#define HEAD "module m\nversion 1.0\n"
#define FIELDS \
    "  context process\n  sleeps may\n  reentrant yes\n  user-callable yes\n  update quiescent\n"
#define EFIELDS \
    "  context any\n  sleeps never\n  reentrant yes\n  user-callable no\n  update concurrent\n"
#define IFACE "interface demo.x 1.2\nmethod get {\n" FIELDS "}\nmethod put {\n" FIELDS "}\n"

static struct mod_manifest manifest, again;
static struct mod_manifest_error error;
static char printed[MOD_MANIFEST_MAX_SIZE], reprinted[MOD_MANIFEST_MAX_SIZE];

static enum mod_manifest_status parse(struct mod_manifest *m, const char *text)
{
    return mod_manifest_parse(m, text, strlen(text), "t.wisp", &error);
}

#define EXPECT_PARSE_ERROR(text, code_, message_) \
    do { \
        EXPECT_EQ(parse(&manifest, text), code_); \
        EXPECT_STREQ(error.message, message_); \
    } while (0)

/* parse(print(m)) prints the same text again */
static void expect_round_trip(struct htest_ctx *ctx, const struct mod_manifest *m)
{
    size_t n = mod_manifest_print(m, printed, sizeof(printed));
    ASSERT_TRUE(n < sizeof(printed));
    ASSERT_EQ(mod_manifest_parse(&again, printed, n, "printed", &error), MOD_MANIFEST_OK);
    mod_manifest_print(&again, reprinted, sizeof(reprinted));
    EXPECT_STREQ(reprinted, printed);
}

HTEST(manifest_devices_parses_claims_of_each_kind)
{
    ASSERT_EQ(parse(&manifest, HEAD "claims pci 1234:11E8\nclaims ports 0x3f8-0x3ff\n"
                                    "claims ports 0x80\nclaims irq 23\n"),
              MOD_MANIFEST_OK);
    ASSERT_EQ(manifest.claim_count, 4);
    EXPECT_EQ(manifest.claims[0].kind, MOD_CLAIM_PCI);
    EXPECT_EQ(manifest.claims[0].first, 0x123411e8u);
    EXPECT_EQ(manifest.claims[1].kind, MOD_CLAIM_PORTS);
    EXPECT_EQ(manifest.claims[1].first, 0x3f8u);
    EXPECT_EQ(manifest.claims[1].last, 0x3ffu);
    EXPECT_EQ(manifest.claims[2].first, 0x80u);
    EXPECT_EQ(manifest.claims[2].last, 0x80u);
    EXPECT_EQ(manifest.claims[3].kind, MOD_CLAIM_IRQ);
    EXPECT_EQ(manifest.claims[3].first, 23u);
    EXPECT_EQ(manifest.claims[3].line, 6u);
    char text[48];
    mod_claim_describe(&manifest.claims[0], text, sizeof(text));
    EXPECT_STREQ(text, "pci 1234:11e8");
    mod_claim_describe(&manifest.claims[1], text, sizeof(text));
    EXPECT_STREQ(text, "ports 0x3f8-0x3ff");
    expect_round_trip(ctx, &manifest);
}

HTEST(manifest_devices_refuses_bad_claims)
{
    EXPECT_PARSE_ERROR(HEAD "claims\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:7: expected 'pci', 'ports' or 'irq' and a value after 'claims', "
                       "found end of line");
    EXPECT_PARSE_ERROR(HEAD "claims dma 0x1000\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:8: expected 'pci', 'ports' or 'irq' after 'claims', found 'dma'");
    EXPECT_PARSE_ERROR(HEAD "claims pci 1234:11e\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:12: expected VENDOR:DEVICE (4 hex digits each) after 'claims "
                       "pci', found '1234:11e'");
    EXPECT_PARSE_ERROR(HEAD "claims pci 12g4:11e8\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:12: expected VENDOR:DEVICE (4 hex digits each) after 'claims "
                       "pci', found '12g4:11e8'");
    EXPECT_PARSE_ERROR(HEAD "claims ports 3f8-3ff\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:14: expected 0xFIRST-0xLAST or 0xPORT (hex, up to 0xffff) after "
                       "'claims ports', found '3f8-3ff'");
    EXPECT_PARSE_ERROR(HEAD "claims ports 0x10000\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:14: expected 0xFIRST-0xLAST or 0xPORT (hex, up to 0xffff) after "
                       "'claims ports', found '0x10000'");
    EXPECT_PARSE_ERROR(HEAD "claims ports 0x3ff-0x3f8\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:14: port range '0x3ff-0x3f8' ends before it starts");
    EXPECT_PARSE_ERROR(HEAD "claims irq 24\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:12: expected an IO-APIC line 0..23 after 'claims irq', found "
                       "'24'");
    EXPECT_PARSE_ERROR(HEAD "claims irq 4 5\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:14: unexpected '5': 'claims' takes 'pci', 'ports' or 'irq' and "
                       "a value only");
    EXPECT_PARSE_ERROR(HEAD "claims ports 0x3f8-0x3ff\nclaims ports 0x3fc\n",
                       MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:4:14: 'claims ports 0x3fc' overlaps the claim on line 3");
}

HTEST(manifest_devices_parses_interfaces_methods_and_classes)
{
    ASSERT_EQ(parse(&manifest, HEAD IFACE "implements demo.x 1.2 impl\n"
                                          "export impl_get {\n" EFIELDS "}\n"
                                          "export impl_put {\n" EFIELDS "}\n"
                                          "implements other.y 3.0 far\n"),
              MOD_MANIFEST_OK);
    ASSERT_EQ(manifest.interface_count, 1);
    EXPECT_STREQ(manifest.interfaces[0].iid, "demo.x");
    EXPECT_EQ(manifest.interfaces[0].major, 1);
    EXPECT_EQ(manifest.interfaces[0].minor, 2);
    EXPECT_EQ(manifest.interfaces[0].first_method, 0);
    EXPECT_EQ(manifest.interfaces[0].method_count, 2);
    ASSERT_EQ(manifest.method_count, 2);
    EXPECT_STREQ(manifest.methods[1].symbol, "put");
    EXPECT_EQ(manifest.methods[1].context, MOD_CONTEXT_PROCESS);
    EXPECT_TRUE(manifest.methods[1].user_callable);
    ASSERT_EQ(manifest.implements_count, 2);
    EXPECT_STREQ(manifest.implements[0].clsid, "impl");
    EXPECT_STREQ(manifest.implements[1].iid, "other.y"); /* defined elsewhere: checked at load */
    EXPECT_EQ(manifest.implements[1].major, 3);
    EXPECT_EQ(mod_manifest_find_interface(&manifest, "demo.x"), 0);
    EXPECT_EQ(mod_manifest_find_interface(&manifest, "other.y"), -1);
    char name[64];
    EXPECT_TRUE(mod_method_export_name("impl", "get", name, sizeof(name)));
    EXPECT_STREQ(name, "impl_get");
    EXPECT_FALSE(mod_method_export_name("impl", "get", name, 8));
    expect_round_trip(ctx, &manifest);
}

/* A file of the repository (MANIFEST_TEST_DATA is tests/host/data/manifests). */
static size_t read_repo_file(const char *relative, char *text, size_t size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/../../../../%s", MANIFEST_TEST_DATA, relative);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(text, 1, size - 1, f);
    fclose(f);
    text[n] = '\0';
    return n;
}

HTEST(manifest_devices_parses_the_edu_driver_manifest)
{
    static char text[MOD_MANIFEST_MAX_SIZE + 1];
    size_t size = read_repo_file("modules/edu/manifest.wisp", text, sizeof(text));
    ASSERT_TRUE(size > 0);
    ASSERT_EQ(mod_manifest_parse(&manifest, text, size, "edu.wisp", &error), MOD_MANIFEST_OK);
    EXPECT_EQ(manifest.claim_count, 1);
    EXPECT_EQ(manifest.interface_count, 1);
    EXPECT_EQ(manifest.method_count, 4);
    EXPECT_EQ(manifest.implements_count, 1);
    expect_round_trip(ctx, &manifest);
}

/* tests/modules/edu_v2 is a copy of the edu manifest at version 2.0 (the
 * in-kernel update test): the two must not drift apart. */
HTEST(manifest_devices_edu_v2_is_the_edu_manifest_at_2_0)
{
    static char text[MOD_MANIFEST_MAX_SIZE + 1];
    static char first[MOD_MANIFEST_MAX_SIZE];
    size_t size = read_repo_file("modules/edu/manifest.wisp", text, sizeof(text));
    ASSERT_EQ(mod_manifest_parse(&manifest, text, size, "edu", &error), MOD_MANIFEST_OK);
    size = read_repo_file("tests/modules/edu_v2/manifest.wisp", text, sizeof(text));
    ASSERT_EQ(mod_manifest_parse(&again, text, size, "edu_v2", &error), MOD_MANIFEST_OK);
    EXPECT_EQ(again.version_major, 2);
    again.version_major = manifest.version_major;
    mod_manifest_print(&manifest, first, sizeof(first));
    mod_manifest_print(&again, printed, sizeof(printed));
    EXPECT_STREQ(printed, first);
}

HTEST(manifest_devices_refuses_bad_interfaces_and_methods)
{
    EXPECT_PARSE_ERROR(HEAD "method get {\n" FIELDS "}\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:1: 'method' needs an 'interface IID MAJOR.MINOR' line before it");
    EXPECT_PARSE_ERROR(HEAD "interface demo.x\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:17: expected an interface name and MAJOR.MINOR after "
                       "'interface', found end of line");
    EXPECT_PARSE_ERROR(HEAD "interface demo..x 1.0\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:11: bad interface name 'demo..x'");
    EXPECT_PARSE_ERROR(HEAD "interface demo.x one\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:18: expected MAJOR.MINOR (each 0..65535) after 'interface "
                       "demo.x', found 'one'");
    EXPECT_PARSE_ERROR(HEAD "interface demo.x 1.0\n", MOD_MANIFEST_E_MISSING,
                       "t.wisp:3: interface 'demo.x' declares no method");
    EXPECT_PARSE_ERROR(HEAD IFACE "interface demo.x 1.0\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:18:11: interface 'demo.x' defined twice (first on line 3)");
    EXPECT_PARSE_ERROR(HEAD IFACE "method get {\n" FIELDS "}\n", MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:18:8: method 'get' of interface 'demo.x' declared twice (first "
                       "on line 4)");
    EXPECT_PARSE_ERROR(HEAD "interface demo.x 1.0\nmethod get {\n  acquires m.a\n",
                       MOD_MANIFEST_E_UNKNOWN_KEY,
                       "t.wisp:5:3: method 'get': unknown field 'acquires' (expected 'context', "
                       "'sleeps', 'reentrant', 'user-callable' or 'update')");
    EXPECT_PARSE_ERROR(HEAD "interface demo.x 1.0\nmethod get {\n  context any\n}\n",
                       MOD_MANIFEST_E_MISSING,
                       "t.wisp:6:1: method 'get': missing field 'sleeps' (required: context, "
                       "sleeps, reentrant, user-callable, update)");
    EXPECT_PARSE_ERROR(HEAD "interface demo.x 1.0\nmethod get {\n" FIELDS "method put {\n",
                       MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:10:1: method 'get': expected '}' to close the block (opened on "
                       "line 4) before 'method'");
}

HTEST(manifest_devices_refuses_bad_implements)
{
    EXPECT_PARSE_ERROR(HEAD "implements demo.x 1.0\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:22: expected an interface name, MAJOR.MINOR and a class name "
                       "after 'implements', found end of line");
    EXPECT_PARSE_ERROR(HEAD "implements demo.x 1.0 a-b\n", MOD_MANIFEST_E_SYNTAX,
                       "t.wisp:3:23: bad class name 'a-b'");
    EXPECT_PARSE_ERROR(
        HEAD "implements demo.x 1.0 abcdefghijklmnopqrstuvwxyz\n", MOD_MANIFEST_E_LIMIT,
        "t.wisp:3:23: class name 'abcdefghijklmnopqrstuvwxyz' is 26 characters long, "
        "the limit is 23");
    EXPECT_PARSE_ERROR(HEAD "implements a.b 1.0 c\nimplements d.e 1.0 c\n",
                       MOD_MANIFEST_E_DUPLICATE,
                       "t.wisp:4:20: class 'c' declared twice (first on line 3)");
    EXPECT_PARSE_ERROR(HEAD IFACE "implements demo.x 1.1 impl\n", MOD_MANIFEST_E_CONFLICT,
                       "t.wisp:18: class 'impl' implements 'demo.x' 1.1, this manifest defines "
                       "1.2 (line 3)");
    EXPECT_PARSE_ERROR(HEAD IFACE "implements demo.x 1.2 impl\nexport impl_get {\n" EFIELDS "}\n",
                       MOD_MANIFEST_E_MISSING,
                       "t.wisp:18: class 'impl' implements 'demo.x' but exports no 'impl_put' "
                       "for its method 'put'");
}

HTEST(manifest_devices_refuses_lines_over_their_limits)
{
    static char text[MOD_MANIFEST_MAX_SIZE];
    char *p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i <= MOD_MANIFEST_MAX_CLAIMS; i++)
        p += sprintf(p, "claims ports 0x%x\n", 0x100 + i);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:19:1: more than 16 'claims' lines");
    p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i <= MOD_MANIFEST_MAX_INTERFACES; i++)
        p += sprintf(p, "interface i%u.x 1.0\nmethod m {\n" FIELDS "}\n", i);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:35:1: more than 4 'interface' lines");
    p = text + sprintf(text, HEAD "interface i.x 1.0\n");
    for (unsigned i = 0; i <= MOD_MANIFEST_MAX_METHODS; i++)
        p += sprintf(p, "method m%u {\n" FIELDS "}\n", i);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:116:1: more than 16 methods");
    p = text + sprintf(text, HEAD);
    for (unsigned i = 0; i <= MOD_MANIFEST_MAX_IMPLEMENTS; i++)
        p += sprintf(p, "implements i.x 1.0 c%u\n", i);
    EXPECT_PARSE_ERROR(text, MOD_MANIFEST_E_LIMIT, "t.wisp:7:1: more than 4 'implements' lines");
}
