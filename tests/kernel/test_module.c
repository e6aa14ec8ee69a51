/* test_module.c — modules loaded from the signed image: boot configuration,
 * memory permissions, calls through slots, on-demand load, unload. */
#include <wisp/ktest.h>
#include <wisp/probe.h>
#include <wisp/mm.h>
#include <wisp/sched.h>
#include <wisp/time.h>
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

/* ---- unload with a call chain inside --------------------------------------- */

static bool unload_exit_ran;
static void (*unload_real_exit)(void);

static void recording_exit(void)
{
    __atomic_store_n(&unload_exit_ran, true, __ATOMIC_RELEASE);
    if (unload_real_exit)
        unload_real_exit();
}

struct inside {
    struct mod_identity *id;
    bool entered, release;
};

/* A chain inside kvstore until told to leave, as a thread asleep in one of
 * its functions would be. */
static void inside_fn(void *arg)
{
    struct inside *c = arg;
    mod_dispatch_enter(c->id, 0);
    __atomic_store_n(&c->entered, true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&c->release, __ATOMIC_ACQUIRE))
        sched_sleep_ns(NSEC_PER_MSEC);
    mod_dispatch_exit(c->id);
}

/* Unload does not wait for the chains inside, nor hold the module lock
 * while they finish, and runs the module's exit only after the last one
 * has left: the reaper frees it then. */
KTEST(module_unload_with_a_chain_inside_returns_at_once_and_exit_runs_after_it_leaves)
{
    struct mod_error err;
    struct module *kv;
    if ((kv = module_find("kvstore")) != NULL)
        KASSERT_EQ(module_unload(kv, &err), MOD_OK); /* no chain inside: freed at once */
    size_t area_before = module_area_pages_used();
    KASSERT_EQ(module_load("kvstore", &kv, &err), MOD_OK);
    unload_real_exit = kv->exit;
    kv->exit = recording_exit;
    unload_exit_ran = false;
    static struct inside c;
    memset(&c, 0, sizeof(c));
    c.id = kv->identity;
    struct thread *t = thread_create("inside", inside_fn, &c, -1);
    KASSERT_TRUE(t != NULL);
    while (!__atomic_load_n(&c.entered, __ATOMIC_ACQUIRE))
        sched_sleep_ns(NSEC_PER_MSEC);

    uint64_t start = clock_ns();
    KEXPECT_EQ(module_unload(kv, &err), MOD_OK);
    uint64_t took_ms = (clock_ns() - start) / NSEC_PER_MSEC;
    KEXPECT_LT(took_ms, 500);                     /* no drain wait */
    KEXPECT_TRUE(module_find("kvstore") == NULL); /* the lock is free, the module gone */
    KEXPECT_TRUE(sym_resolve("kv_put") == NULL);
    KEXPECT_FALSE(__atomic_load_n(&unload_exit_ran, __ATOMIC_ACQUIRE));
    KEXPECT_EQ(module_retiring(), 1u);

    __atomic_store_n(&c.release, true, __ATOMIC_RELEASE);
    thread_join(t);
    uint64_t deadline = clock_ns() + 2000 * NSEC_PER_MSEC;
    while (module_retiring() != 0 && clock_ns() < deadline)
        sched_sleep_ns(NSEC_PER_MSEC);
    KEXPECT_EQ(module_retiring(), 0u);
    KEXPECT_TRUE(__atomic_load_n(&unload_exit_ran, __ATOMIC_ACQUIRE));
    KEXPECT_EQ(module_area_pages_used(), area_before);     /* its memory back */
    KASSERT_EQ(module_load("kvstore", &kv, &err), MOD_OK); /* as the other tests left it */
}

/* The loader's *_locked functions check their caller holds the module lock. */
KTEST_PANIC(module_find_locked_without_the_module_lock_panics, "module lock not held")
{
    struct module *m = module_find_locked("counter");
    __asm__ volatile("" : : "r"(m)); /* no tail call: the backtrace names this test */
}
