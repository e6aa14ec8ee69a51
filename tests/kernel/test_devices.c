/* test_devices.c — PCI enumeration, the resource registry and the
 * interface registry (kernel/dev/), with the test devices that
 * tests/qemu/run.py attaches (two edu, two virtio disks, a virtio NIC) and
 * the test modules of tests/modules/ (device_blobs.asm): conflicts, claims
 * outside a manifest, release on unload and on a failed load, claims and
 * held instances across a live update, interface version mismatches, an
 * unload refused while an instance is held, watchers, and the gate's
 * checks of user handles (tests/programs/iface_calls.c). */
#include <wisp/ktest.h>
#include <wisp/interface.h>
#include <wisp/mm.h>
#include <wisp/pci.h>
#include <wisp/percpu.h>
#include <wisp/printk.h>
#include <wisp/resource.h>
#include <wisp/sched.h>
#include <wisp/syscall.h>
#include <wisp/time.h>
#include "kernel/dev/dev_internal.h"
#include "modload/module.h"
#include "modload/symtab.h"
#include "modload/update/update.h"
#include "tests/kernel/programs.h"
#include "tests/torture/swap.h"
#include <string.h>

#define BLOB(name) \
    extern const uint8_t name##_object[]; \
    extern const uint64_t name##_size
BLOB(claimer);
BLOB(claimer_bad_init);
BLOB(com1_again);
BLOB(edu_v2);
BLOB(compute_extra);
BLOB(compute_v2);
BLOB(compute_v2i);
BLOB(compute_extra_v2);

#define METHOD_FACTORIAL  0
#define METHOD_INVERT     1
#define METHOD_VERSION    2
#define METHOD_INTERRUPTS 3

static enum mod_status load_blob(const char *name, const uint8_t *object, uint64_t size,
                                 struct module **m, struct mod_error *err)
{
    struct module_object o;
    enum mod_status st = module_object_open(&o, name, 1u << 16, object, size, err);
    if (st == MOD_OK) {
        module_lock();
        st = module_load_object_locked(&o, NULL, m, err);
        module_unlock();
    }
    module_object_close(&o);
    return st;
}

static bool contains(const char *text, const char *part) { return strstr(text, part) != NULL; }

/* ---- PCI ---- */

KTEST(pci_finds_the_test_devices_through_ecam)
{
    KEXPECT_STREQ(pci_access_method(), "ecam");
    const struct pci_function *edu = pci_find_device(0x1234, 0x11e8, 0);
    KASSERT_TRUE(edu != NULL);
    KEXPECT_TRUE(pci_find_device(0x1234, 0x11e8, 1) != NULL);
    KEXPECT_EQ(edu->bars[0].kind, PCI_BAR_MEM32);
    KEXPECT_EQ(edu->bars[0].size, 1u << 20);
    KEXPECT_NE(edu->msi_cap, 0);
    const struct pci_function *disk = pci_find_device(0x1af4, 0x1001, 0);
    KASSERT_TRUE(disk != NULL);
    KEXPECT_TRUE(pci_find_device(0x1af4, 0x1001, 1) != NULL);
    KEXPECT_TRUE(pci_find_device(0x1af4, 0x1000, 0) != NULL); /* the NIC */
    KEXPECT_NE(disk->msix_cap, 0);
    KEXPECT_GT(disk->msix_table_size, 0);
    KEXPECT_EQ(disk->class_code, 1); /* storage */
}

/* The two ways to the configuration space agree on what does not change
 * by itself: ids, class, BARs, subsystem, capability pointer. */
KTEST(pci_ecam_and_legacy_ports_read_the_same_configuration)
{
    static const uint16_t offsets[] = { 0x00, 0x08, 0x0c, 0x10, 0x14, 0x18,
                                        0x1c, 0x20, 0x24, 0x2c, 0x34 };
    unsigned compared = 0;
    for (unsigned i = 0; i < pci_function_count(); i++) {
        const struct pci_function *f = pci_function_at(i);
        for (unsigned k = 0; k < ARRAY_SIZE(offsets); k++) {
            KEXPECT_EQ(pci_config_read32(f->address, offsets[k]),
                       pci_legacy_read32(f->address, offsets[k]));
            compared++;
        }
    }
    KEXPECT_GE(compared, 7 * ARRAY_SIZE(offsets));
}

/* MSI-X of an unclaimed virtio disk: the entry holds the vector asked. */
KTEST(pci_msix_entry_is_programmed_as_asked)
{
    const struct pci_function *disk = pci_find_device(0x1af4, 0x1001, 1);
    KASSERT_TRUE(disk != NULL);
    KEXPECT_EQ(pci_msix_enable(disk->address, 0, 0x9a, cpus[0].apic_id), 0);
    KEXPECT_EQ(pci_msix_entry_data(disk->address, 0), 0x9a);
    KEXPECT_EQ(pci_msix_enable(disk->address, disk->msix_table_size, 0x9a, 0), -1);
    pci_msix_disable(disk->address);
}

/* ---- interfaces: two implementations, instances, MSI ---- */

static uint64_t call_on(const char *name, unsigned method, uint64_t a0)
{
    char why[96];
    struct iface_instance *x = iface_open("demo.compute", name, why, sizeof(why));
    if (!x) {
        kprintf("    # %s\n", why);
        return (uint64_t)-2;
    }
    uint64_t r = iface_call(x, method, a0, 0, 0, 0);
    iface_close(x);
    return r;
}

KTEST(two_implementations_of_one_interface_answer_at_once)
{
    char clsid[32];
    bool edu = false, soft = false;
    for (unsigned i = 0; iface_class_at("demo.compute", i, clsid, sizeof(clsid)); i++) {
        edu |= strcmp(clsid, "edu") == 0;
        soft |= strcmp(clsid, "soft") == 0;
    }
    KEXPECT_TRUE(edu && soft);
    KEXPECT_GE(iface_class_count("demo.compute"), 2);
    KEXPECT_EQ(call_on("edu0", METHOD_FACTORIAL, 6), 720);
    KEXPECT_EQ(call_on("edu1", METHOD_FACTORIAL, 7), 5040);
    KEXPECT_EQ(call_on("soft0", METHOD_FACTORIAL, 6), 720);
    KEXPECT_EQ(call_on("soft", METHOD_FACTORIAL, 5), 120); /* by class: its first instance */
    KEXPECT_EQ(call_on("edu1", METHOD_INVERT, 0xf0f0f0f0u), 0x0f0f0f0fu);
    KEXPECT_EQ(call_on("edu0", 4, 0), (uint64_t)-1); /* no method 4 */
    char why[96];
    KEXPECT_TRUE(iface_open("demo.compute", "nosuch", why, sizeof(why)) == NULL);
    KEXPECT_TRUE(contains(why, "has no instance or class 'nosuch'"));
    KEXPECT_TRUE(iface_open("demo.nothing", "edu0", why, sizeof(why)) == NULL);
}

/* Each edu instance has its own PCI function, registers and vector. */
KTEST(the_edu_driver_drives_each_device_as_its_own_instance)
{
    char module[32], instance[24];
    for (unsigned i = 0; i < 2; i++) {
        const struct pci_function *f = pci_find_device(0x1234, 0x11e8, i);
        KASSERT_TRUE(f != NULL);
        KASSERT_TRUE(resource_owner(RESOURCE_PCI, f->address, module, sizeof(module), instance,
                                    sizeof(instance)));
        KEXPECT_STREQ(module, "edu");
        KEXPECT_STREQ(instance, i == 0 ? "edu0" : "edu1");
        KASSERT_TRUE(resource_owner(RESOURCE_MMIO, f->bars[0].base, module, sizeof(module),
                                    instance, sizeof(instance)));
        KEXPECT_STREQ(instance, i == 0 ? "edu0" : "edu1");
    }
}

static bool interrupts_above(const char *name, uint64_t before)
{
    for (int i = 0; i < 200; i++) {
        if (call_on(name, METHOD_INTERRUPTS, 0) > before)
            return true;
        sched_sleep_ns(1000 * 1000);
    }
    return false;
}

KTEST(edu_completion_interrupts_arrive_through_msi)
{
    uint64_t before = call_on("edu0", METHOD_INTERRUPTS, 0);
    KEXPECT_EQ(call_on("edu0", METHOD_FACTORIAL, 5), 120);
    KEXPECT_TRUE(interrupts_above("edu0", before));
}

/* ---- resources ---- */

typedef long (*claim_fn)(uint64_t kind, uint64_t first, uint64_t last, char *why);

KTEST(resource_conflict_names_the_current_owner)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    KASSERT_EQ(load_blob("claimer", claimer_object, claimer_size, &m, &err), MOD_OK);
    claim_fn claim = (claim_fn)sym_resolve("claimer_claim");
    KASSERT_TRUE(claim != NULL);
    char why[RESOURCE_REASON_SIZE];
    KEXPECT_EQ(claim(RESOURCE_PORTS, 0x3f8, 0x3ff, why), -1);
    KEXPECT_TRUE(contains(why, "ports 0x3f8-0x3ff is claimed by module 'console' (instance com1)"));
    KEXPECT_EQ(claim(RESOURCE_PORTS, 0x3fc, 0x3fd, why), -1);
    KEXPECT_TRUE(contains(why, "overlaps what is claimed by module 'console'"));
    KEXPECT_EQ(claim(RESOURCE_PORTS, 0xcf8, 0xcff, why), -1); /* declared, but the core's */
    KEXPECT_TRUE(contains(why, "ports 0xcf8-0xcff is claimed by the core (pci-config)"));
    if (!contains(why, "console"))
        kprintf("    # why: %s\n", why);
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
}

KTEST(a_second_com1_driver_is_refused)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    KEXPECT_EQ(load_blob("com1_again", com1_again_object, com1_again_size, &m, &err), MOD_E_INIT);
    KEXPECT_TRUE(module_find("com1_again") == NULL);
    char module[32], instance[24];
    KASSERT_TRUE(
        resource_owner(RESOURCE_PORTS, 0x3f8, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_STREQ(module, "console");
    KASSERT_TRUE(
        resource_owner(RESOURCE_IRQ, 4, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_STREQ(module, "console");
}

KTEST(a_claim_outside_the_manifest_is_refused)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    KASSERT_EQ(load_blob("claimer", claimer_object, claimer_size, &m, &err), MOD_OK);
    claim_fn claim = (claim_fn)sym_resolve("claimer_claim");
    int (*release)(long) = (int (*)(long))sym_resolve("claimer_release");
    KASSERT_TRUE(claim != NULL && release != NULL);
    char why[RESOURCE_REASON_SIZE];
    unsigned outside = resource_audit_print();
    KEXPECT_EQ(claim(RESOURCE_PORTS, 0x600, 0x607, why), -1);
    KEXPECT_TRUE(contains(why, "module 'claimer': ports 0x600-0x607 is outside its manifest"));
    KEXPECT_EQ(claim(RESOURCE_PORTS, 0x510, 0x518, why), -1); /* one past the declared range */
    const struct pci_function *edu = pci_find_device(0x1234, 0x11e8, 0);
    KASSERT_TRUE(edu != NULL);
    KEXPECT_EQ(claim(RESOURCE_PCI, edu->address, edu->address, why), -1);
    KEXPECT_TRUE(contains(why, "(1234:11e8) is outside its manifest"));
    KEXPECT_EQ(claim(RESOURCE_IRQ, 10, 10, why), -1);
    KEXPECT_EQ(claim(RESOURCE_MMIO, edu->bars[0].base, edu->bars[0].base + 15, why), -1);
    KEXPECT_TRUE(contains(why, "not inside a BAR of a PCI function it claims"));
    KEXPECT_EQ(claim(RESOURCE_VECTOR, 0x60, 0x60, why), -1);
    KEXPECT_TRUE(contains(why, "vectors are allocated, not claimed"));
    KEXPECT_EQ(resource_audit_print(), outside + 5); /* the audit reports each one */
    long irq = claim(RESOURCE_IRQ, 9, 9, why);       /* declared, free */
    KEXPECT_GT(irq, 0);
    KEXPECT_EQ(release(irq), 0);
    KEXPECT_EQ(release(irq), -1); /* not twice */
    struct resource_refusal refusal;
    KEXPECT_EQ(resource_claim(RESOURCE_PORTS, 0x700, 0x707, 0, NULL, &refusal), -1);
    KEXPECT_TRUE(contains(refusal.message, "is called by a module"));
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
}

KTEST(claims_are_released_on_unload_and_on_a_failed_load)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    char module[32], instance[24];
    KASSERT_EQ(load_blob("claimer", claimer_object, claimer_size, &m, &err), MOD_OK);
    KASSERT_TRUE(
        resource_owner(RESOURCE_PORTS, 0x514, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_STREQ(module, "claimer");
    KEXPECT_STREQ(instance, "init");
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
    KEXPECT_FALSE(
        resource_owner(RESOURCE_PORTS, 0x514, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_EQ(load_blob("claimer", claimer_bad_init_object, claimer_bad_init_size, &m, &err),
               MOD_E_INIT);
    KEXPECT_FALSE(
        resource_owner(RESOURCE_PORTS, 0x520, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_TRUE(module_find("claimer") == NULL);
}

/* DMA memory and MSI vectors are allocated for the calling module, show
 * up as its claims, and go when freed or when the module is unloaded. */
KTEST(dma_memory_and_vectors_belong_to_the_module_that_took_them)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    char module[32], instance[24];
    KASSERT_EQ(load_blob("claimer", claimer_object, claimer_size, &m, &err), MOD_OK);
    void *(*dma)(uint64_t, uint64_t *) =
        (void *(*)(uint64_t, uint64_t *))sym_resolve("claimer_dma");
    int (*dma_free_fn)(void *) = (int (*)(void *))sym_resolve("claimer_dma_free");
    int (*vector)(const char *) = (int (*)(const char *))sym_resolve("claimer_vector");
    int (*vector_free)(int) = (int (*)(int))sym_resolve("claimer_vector_free");
    KASSERT_TRUE(dma && dma_free_fn && vector && vector_free);
    uint64_t phys = 0;
    uint8_t *buffer = dma(6000, &phys);
    KASSERT_TRUE(buffer != NULL);
    KEXPECT_EQ(phys % PAGE_SIZE, 0);
    KEXPECT_LT(phys + 2 * PAGE_SIZE, 1ull << 32);
    KEXPECT_EQ(buffer[0] | buffer[5999], 0);
    KASSERT_TRUE(resource_owner(RESOURCE_DMA, phys + PAGE_SIZE, module, sizeof(module), instance,
                                sizeof(instance)));
    KEXPECT_STREQ(module, "claimer");
    KEXPECT_STREQ(instance, "dma");
    KEXPECT_EQ(dma_free_fn(buffer), 0);
    KEXPECT_FALSE(
        resource_owner(RESOURCE_DMA, phys, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_EQ(vector("claimer_claim"), -1); /* process context, sleeps may: no handler */
    KEXPECT_EQ(vector("no_such_export"), -1);
    int v = vector("claimer_interrupt");
    KASSERT_GE(v, 0x50);
    KEXPECT_TRUE(resource_owner(RESOURCE_VECTOR, (uint64_t)v, module, sizeof(module), instance,
                                sizeof(instance)));
    KEXPECT_EQ(vector_free(v), 0);
    KEXPECT_FALSE(resource_owner(RESOURCE_VECTOR, (uint64_t)v, module, sizeof(module), instance,
                                 sizeof(instance)));
    buffer = dma(PAGE_SIZE, &phys); /* kept: the unload gives them back */
    v = vector("claimer_interrupt");
    KASSERT_TRUE(buffer != NULL && v >= 0x50);
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
    KEXPECT_FALSE(
        resource_owner(RESOURCE_DMA, phys, module, sizeof(module), instance, sizeof(instance)));
    KEXPECT_FALSE(resource_owner(RESOURCE_VECTOR, (uint64_t)v, module, sizeof(module), instance,
                                 sizeof(instance)));
}

/* ---- live update ---- */

static enum mod_status update_edu(const uint8_t *object, uint64_t size, uint32_t version,
                                  struct mod_error *err)
{
    struct mod_image_section s = { .type = MOD_SECTION_MODULE, .version = version };
    if (object) {
        s.content = object;
        s.size = size;
        strlcpy(s.name, "edu", sizeof(s.name));
    } else if (!swap_image_section("edu", &s)) {
        return MOD_E_NOT_FOUND;
    }
    s.version = version;
    struct update_request req = { .by = "test" };
    struct update_verdict v;
    enum mod_status st = update_apply_image_section(&s, &req, &v);
    if (st != MOD_OK) {
        mod_fail(err, st, "%s", v.text);
        kprintf("    # update: %s\n", v.text);
    }
    return st;
}

static unsigned staged_claims(void)
{
    static struct sys_resource_record records[64];
    unsigned staged = 0;
    size_t n = resource_snapshot(records, 0, ARRAY_SIZE(records));
    for (size_t i = 0; i < n; i++)
        staged += records[i].staged;
    return staged;
}

/* edu 1.0 → 2.0 while edu0 is held: the claims never change owner, no
 * claim is left staged, the held instance answers from 2.0, and its
 * interrupts still arrive (the vector's handler goes through the
 * dispatch thunk); then back to the image's 1.0. */
KTEST(claims_and_held_instances_stay_with_the_module_across_a_live_update)
{
    char why[96], module[32], instance[24];
    const struct pci_function *f = pci_find_device(0x1234, 0x11e8, 0);
    KASSERT_TRUE(f != NULL);
    struct iface_instance *x = iface_open("demo.compute", "edu0", why, sizeof(why));
    KASSERT_TRUE(x != NULL);
    KEXPECT_EQ(iface_call(x, METHOD_VERSION, 0, 0, 0, 0), 1);
    struct mod_error err = { 0 };
    KEXPECT_EQ(update_edu(edu_v2_object, edu_v2_size, 2u << 16, &err), MOD_OK);
    KEXPECT_TRUE(resource_owner(RESOURCE_PCI, f->address, module, sizeof(module), instance,
                                sizeof(instance)));
    KEXPECT_STREQ(module, "edu");
    KEXPECT_STREQ(instance, "edu0");
    KEXPECT_EQ(staged_claims(), 0);
    KEXPECT_EQ(iface_call(x, METHOD_VERSION, 0, 0, 0, 0), 2);
    uint64_t before = iface_call(x, METHOD_INTERRUPTS, 0, 0, 0, 0);
    KEXPECT_EQ(iface_call(x, METHOD_FACTORIAL, 4, 0, 0, 0), 24);
    iface_close(x);
    KEXPECT_TRUE(interrupts_above("edu0", before));
    KEXPECT_EQ(call_on("edu1", METHOD_VERSION, 0), 2); /* every instance */
    KEXPECT_EQ(update_edu(NULL, 0, 1u << 16, &err), MOD_OK);
    KEXPECT_EQ(call_on("edu1", METHOD_VERSION, 0), 1);
    KEXPECT_EQ(staged_claims(), 0);
}

/* ---- load-time checks, held instances, watchers ---- */

KTEST(an_interface_version_mismatch_is_refused_at_load)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    unsigned classes = iface_class_count("demo.compute");
    KEXPECT_EQ(load_blob("compute_v2", compute_v2_object, compute_v2_size, &m, &err),
               MOD_E_CONTRACT);
    KEXPECT_TRUE(contains(err.message, "interface 'demo.compute' version mismatch: it defines "
                                       "2.0, module 'edu' defined 1.0"));
    if (!contains(err.message, "mismatch"))
        kprintf("    # %s\n", err.message);
    KEXPECT_EQ(load_blob("compute_v2i", compute_v2i_object, compute_v2i_size, &m, &err),
               MOD_E_CONTRACT);
    KEXPECT_TRUE(contains(err.message, "class 'v2i' implements 'demo.compute' 2.0, the registry "
                                       "has 1.0"));
    KEXPECT_TRUE(module_find("compute_v2") == NULL && module_find("compute_v2i") == NULL);
    KEXPECT_EQ(iface_class_count("demo.compute"), classes);
}

KTEST(an_unload_is_refused_while_an_instance_is_held)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    char why[96];
    KASSERT_EQ(load_blob("compute_extra", compute_extra_object, compute_extra_size, &m, &err),
               MOD_OK);
    struct iface_instance *x = iface_open("demo.compute", "extra0", why, sizeof(why));
    KASSERT_TRUE(x != NULL);
    KEXPECT_EQ(iface_call(x, METHOD_FACTORIAL, 5, 0, 0, 0), 120);
    KEXPECT_EQ(module_unload(m, &err), MOD_E_BUSY);
    KEXPECT_TRUE(contains(err.message, "instance extra0 of class extra is held (1 references)"));
    iface_close(x);
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
    KEXPECT_TRUE(iface_open("demo.compute", "extra0", why, sizeof(why)) == NULL);
}

/* A new version must implement what the running one does: compute_extra
 * 2.0 drops class extra, and its update is refused with nothing changed. */
KTEST(an_update_that_changes_the_classes_is_refused)
{
    struct module *m = NULL;
    struct mod_error err = { 0 };
    KASSERT_EQ(load_blob("compute_extra", compute_extra_object, compute_extra_size, &m, &err),
               MOD_OK);
    struct mod_image_section s = { .type = MOD_SECTION_MODULE,
                                   .version = 2u << 16,
                                   .size = compute_extra_v2_size,
                                   .content = compute_extra_v2_object };
    strlcpy(s.name, "compute_extra", sizeof(s.name));
    struct update_request req = { .by = "test" };
    struct update_verdict v;
    KEXPECT_EQ(update_apply_image_section(&s, &req, &v), MOD_E_CONTRACT);
    KEXPECT_TRUE(contains(v.text, "an update keeps the interfaces and classes of the running "
                                  "version (clause 'interfaces')"));
    if (!contains(v.text, "clause 'interfaces'"))
        kprintf("    # %s\n", v.text);
    m = module_find("compute_extra");
    KASSERT_TRUE(m != NULL);
    KEXPECT_EQ(m->version, 1u << 16);
    KEXPECT_EQ(call_on("extra0", METHOD_FACTORIAL, 4), 24);
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
}

struct watched {
    unsigned appeared, gone;
    char last[24];
};

static void on_event(void *arg, enum iface_event event, const char *clsid, const char *name)
{
    struct watched *w = arg;
    if (strcmp(clsid, "extra") != 0)
        return;
    if (event == IFACE_APPEARED)
        w->appeared++;
    else
        w->gone++;
    strlcpy(w->last, name, sizeof(w->last));
}

KTEST(watchers_see_instances_appear_and_go)
{
    struct watched w = { 0 };
    long watch = iface_watch("demo.compute", on_event, &w);
    KASSERT_GE(watch, 1);
    struct module *m = NULL;
    struct mod_error err = { 0 };
    KASSERT_EQ(load_blob("compute_extra", compute_extra_object, compute_extra_size, &m, &err),
               MOD_OK);
    KEXPECT_EQ(w.appeared, 1);
    KEXPECT_STREQ(w.last, "extra0");
    KEXPECT_EQ(module_unload(m, &err), MOD_OK);
    KEXPECT_EQ(w.gone, 1);
    iface_unwatch(watch);
}

/* ---- the gate ---- */

/* tests/programs/iface_calls.c: forged, stale and other processes'
 * handles, the wrong interface, methods out of range, bad pointers. */
KTEST(the_gate_checks_every_interface_handle_and_argument)
{
    KEXPECT_EQ(test_program_run("iface_calls", 0, NULL), 0);
    char why[96];
    struct iface_instance *x = iface_open("demo.compute", "soft0", why, sizeof(why));
    KASSERT_TRUE(x != NULL);
    static struct sys_interface_record records[32];
    size_t n = iface_snapshot(records, 0, ARRAY_SIZE(records));
    unsigned held = 0;
    for (size_t i = 0; i < n; i++)
        if (records[i].kind == SYS_IFACE_INSTANCE && strcmp(records[i].name, "soft0") == 0)
            held = records[i].holders;
    KEXPECT_EQ(held, 1); /* only ours: the program's handles went with it */
    iface_close(x);
}
