/* test_module.c — modules loaded from the signed image: boot configuration,
 * memory permissions, calls through slots, on-demand load, unload. */
#include <wisp/ktest.h>
#include <wisp/probe.h>
#include <wisp/mm.h>
#include "modload/module.h"
#include "modload/symtab.h"
#include "modload/dispatch.h"
#include <string.h>

KTEST(module_boot_configuration_modules_are_live)
{
    static const char *const boot[] = { "console", "clock", "counter" };
    for (size_t i = 0; i < ARRAY_SIZE(boot); i++) {
        struct module *m = module_find(boot[i]);
        KASSERT_TRUE(m != NULL);
        KEXPECT_EQ(m->state, MODULE_LIVE);
        KEXPECT_GE(m->base, MODULE_AREA_START);
        KEXPECT_LT(m->base + m->size, MODULE_AREA_END + 1);
    }
    /* kvstore is in the image but not in boot.conf. */
    KEXPECT_TRUE(module_find("kvstore") == NULL || module_find("kvstore")->users == 0);
}

KTEST(module_sections_refused_at_boot_are_none_in_the_normal_image)
{
    const struct module_image_entry *e;
    unsigned n = module_image_entries(&e);
    KEXPECT_GE(n, 5); /* core, console, clock, counter, kvstore, boot.conf */
    for (unsigned i = 0; i < n; i++)
        KEXPECT_TRUE(e[i].verified);
}

KTEST(module_exports_are_called_through_their_slots)
{
    uint32_t slot;
    struct mod_error err;
    KASSERT_EQ(module_bind("counter_add", &slot, &err), MOD_OK);
    uint64_t (*add)(uint64_t) = (uint64_t(*)(uint64_t))sym_slot_load(slot);
    struct module *m = module_find("counter");
    KASSERT_TRUE(m != NULL);
    /* The slot holds the identity's dispatch thunk (stable across
     * versions); the version's implementation lives in its text. */
    int index = mod_dispatch_export_index(m->identity, "counter_add");
    KASSERT_GE(index, 0);
    KEXPECT_EQ((uint64_t)(void *)add, (uint64_t)mod_dispatch_thunk(m->identity, (uint32_t)index));
    uint64_t impl = (uint64_t)m->impl[index];
    KEXPECT_GE(impl, m->region_va[MOD_REGION_TEXT]);
    KEXPECT_LT(impl, m->region_va[MOD_REGION_TEXT] + m->region_size[MOD_REGION_TEXT]);
    uint64_t before = add(0);
    KEXPECT_EQ(add(5), before + 5);
    uint32_t vslot;
    KASSERT_EQ(module_bind("counter_version", &vslot, &err), MOD_OK);
    KEXPECT_EQ(((uint32_t(*)(void))sym_slot_load(vslot))(), 1);
}

/* Text is read+execute, rodata read-only, data not executable. */
KTEST(module_memory_is_write_xor_execute)
{
    struct module *m = module_find("counter");
    KASSERT_TRUE(m != NULL);
    uint8_t byte;
    uint8_t *text = (uint8_t *)m->region_va[MOD_REGION_TEXT];
    KEXPECT_EQ(probe_read8(text, &byte), 0);
    KEXPECT_NE(probe_write8(text, byte), 0);
    if (m->region_size[MOD_REGION_RODATA]) {
        uint8_t *ro = (uint8_t *)m->region_va[MOD_REGION_RODATA];
        KEXPECT_EQ(probe_read8(ro, &byte), 0);
        KEXPECT_NE(probe_write8(ro, byte), 0);
    }
    if (m->region_size[MOD_REGION_DATA]) {
        uint8_t *data = (uint8_t *)m->region_va[MOD_REGION_DATA];
        KEXPECT_EQ(probe_read8(data, &byte), 0);
        KEXPECT_EQ(probe_write8(data, byte), 0);
        KEXPECT_NE(probe_exec(data), 0);
    }
}

/* Import stubs jump through the slot of the symbol they import. */
KTEST(module_imports_go_through_slot_stubs)
{
    struct module *m = module_find("counter");
    KASSERT_TRUE(m != NULL);
    KASSERT_GE(m->stub_count, 1);
    const uint8_t *stub = (const uint8_t *)m->stubs_va;
    KEXPECT_EQ(stub[0], 0xff); /* jmp *disp32(%rip) */
    KEXPECT_EQ(stub[1], 0x25);
    int32_t disp;
    memcpy(&disp, stub + 2, 4);
    uint64_t target = m->stubs_va + 6 + (int64_t)disp;
    KEXPECT_GE(target, SYM_SLOTS_VA + 8);
    KEXPECT_LT(target, SYM_SLOTS_VA + 8 + 8ul * SYM_MAX_SLOTS);
}

/* Binding a name nobody exports yet loads the image module that does. */
KTEST(module_loads_on_demand_when_a_symbol_is_bound)
{
    struct mod_error err;
    uint32_t put_slot, get_slot;
    KASSERT_EQ(module_bind("kv_put", &put_slot, &err), MOD_OK);
    struct module *kv = module_find("kvstore");
    KASSERT_TRUE(kv != NULL);
    KEXPECT_EQ(kv->state, MODULE_LIVE);
    KASSERT_EQ(module_bind("kv_get", &get_slot, &err), MOD_OK);
    int (*put)(const char *, const void *, uint32_t) = sym_slot_load(put_slot);
    int (*get)(const char *, void *, uint32_t) = sym_slot_load(get_slot);
    KEXPECT_EQ(put("answer", "42", 3), 0);
    char buf[8] = { 0 };
    KEXPECT_EQ(get("answer", buf, sizeof(buf)), 3);
    KEXPECT_STREQ(buf, "42");
    KEXPECT_EQ(get("missing", buf, sizeof(buf)), -1);
}

KTEST(module_bind_of_an_unknown_name_fails_with_its_name)
{
    struct mod_error err = { 0 };
    uint32_t slot;
    KEXPECT_EQ(module_bind("nobody_exports_this", &slot, &err), MOD_E_UNRESOLVED);
    KEXPECT_TRUE(strstr(err.message, "nobody_exports_this") != NULL);
}

/* A module nobody imports from unloads: its symbols go, its memory comes
 * back, and it loads again from the image. */
KTEST(module_unload_frees_everything_and_reload_works)
{
    struct mod_error err;
    struct module *kv;
    KASSERT_EQ(module_load("kvstore", &kv, &err), MOD_OK);
    size_t free_before = pmm_free_page_count();
    KASSERT_EQ(module_unload(kv, &err), MOD_OK);
    KEXPECT_TRUE(module_find("kvstore") == NULL);
    KEXPECT_TRUE(sym_resolve("kv_put") == NULL);
    KEXPECT_GT(pmm_free_page_count(), free_before);
    KASSERT_EQ(module_load("kvstore", &kv, &err), MOD_OK);
    KEXPECT_TRUE(sym_resolve("kv_put") != NULL);
}
