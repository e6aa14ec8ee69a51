/* test_ghost.c — ghost bindings (MODULES.md, "Ghost bindings"): programs
 * bound by name at exec, names refused with the exact reason, system calls
 * pinned to their ghost stubs, ghost pages shared and never writable from
 * user mode, user-mode ghost code, and a live update of counter reaching
 * running programs with no lost increment. */
#include <wisp/ktest.h>
#include <wisp/process.h>
#include "tests/kernel/programs.h"
#include <wisp/ghost.h>
#include <wisp/sched.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/trap.h>
#include <wisp/probe.h>
#include <wisp/boot.h>
#include <modload/format/exec.h>
#include <modload/module.h>
#include <modload/symtab.h>
#include <tests/torture/swap.h>
#include <string.h>

#define FAULT(vector) (SYS_EXIT_FAULT_BASE + (vector))

static int run_fault(const char *what)
{
    const char *argv[] = { "faults", what };
    return test_program_run("faults", 2, argv);
}

KTEST(ghost_programs_call_gate_functions_and_user_mode_ghost_code)
{
    const char *argv[] = { "hello", "ghost", "world" };
    KEXPECT_EQ(test_program_run("hello", 3, argv), 2);
    KEXPECT_EQ(test_program_run("clock_agrees", 0, NULL), 0);
    KEXPECT_EQ(ghost_index("exit"), SYS_EXIT);
    KEXPECT_EQ(ghost_index("null"), SYS_NULL);
    KEXPECT_EQ(ghost_index("clock_ns"), SYS_COUNT);
}

/* The loader's message for a program, relocated into scratch pages with
 * the kernel's resolver (exec does the same and logs it). */
static uint8_t *scratch;
static uint8_t *scratch_page(void *context, uint64_t index) { return scratch + index * PAGE_SIZE; }
static int resolve(void *context, const char *name, uint64_t *address, const char **why)
{
    return ghost_bind(name, address, why);
}

static enum mod_status exec_error(const char *name, struct mod_error *err)
{
    const struct program *prog = program_find(name);
    struct mod_exec exec;
    enum mod_status st;
    if (!prog)
        return mod_fail(err, MOD_E_NOT_FOUND, "no program %s", name);
    if ((st = mod_exec_parse(&exec, prog->name, prog->elf, prog->size, err)))
        return st;
    scratch = kmalloc(exec.image_size);
    struct mod_exec_target target = { scratch_page, resolve, NULL, USER_LOAD_BASE };
    mod_exec_copy(&exec, &target);
    st = mod_exec_relocate(&exec, &target, err);
    kfree(scratch);
    return st;
}

static uint32_t bindings_of(const char *name)
{
    rcu_read_lock();
    struct symbol *s = sym_lookup(name);
    uint32_t n = s ? __atomic_load_n(&s->bindings, __ATOMIC_RELAXED) : UINT32_MAX;
    rcu_read_unlock();
    return n;
}

/* kv_put is kvstore's (an image module, not loaded at boot) and not
 * user-callable: exec refuses it by kvstore's signed manifest, before
 * anything is loaded or counted. */
KTEST(ghost_exec_refusing_a_module_export_loads_and_counts_nothing)
{
    struct mod_error err;
    struct module *kv = module_find("kvstore");
    if (kv)
        KASSERT_EQ(module_unload(kv, &err), MOD_OK);
    KEXPECT_EQ(exec_error("not_user_callable_module", &err), MOD_E_UNRESOLVED);
    KEXPECT_STREQ(err.message, "program not_user_callable_module: undefined symbol 'kv_put': "
                               "not user-callable");
    KEXPECT_TRUE(module_find("kvstore") == NULL);
    KEXPECT_EQ(test_program_run("not_user_callable_module", 0, NULL), -SYS_ENOEXEC);
    KEXPECT_TRUE(module_find("kvstore") == NULL);
    /* loaded: refused the same, its binding count unchanged */
    KASSERT_EQ(module_load("kvstore", &kv, &err), MOD_OK);
    uint32_t before = bindings_of("kv_put");
    KEXPECT_EQ(test_program_run("not_user_callable_module", 0, NULL), -SYS_ENOEXEC);
    KEXPECT_EQ(bindings_of("kv_put"), before);
    KEXPECT_EQ(module_unload(kv, &err), MOD_OK); /* nothing holds it */
}

/* The gate's table is read-only after boot through both of its mappings:
 * a write other than syscall_table_set's faults. */
KTEST(ghost_syscall_table_is_read_only_but_to_its_one_writer)
{
    unsigned flags = 0;
    uint64_t pa = 0;
    KASSERT_TRUE(vmm_query((uint64_t)syscall_table, &pa, &flags));
    KEXPECT_EQ(flags & VM_WRITE, 0u);
    KASSERT_TRUE(vmm_query((uint64_t)phys_to_virt(pa), NULL, &flags));
    KEXPECT_EQ(flags & VM_WRITE, 0u);
    unsigned last = GHOST_MAX - 1; /* put back as it was */
    const void *was = syscall_table[last];
    int r = probe_write8((void *)&syscall_table[last], 0x41);
    KEXPECT_NE(probe_error(r) & PROBE_PF_WRITE, 0u);
    r = probe_write8(phys_to_virt(pa + last * 8), 0x41);
    KEXPECT_NE(probe_error(r) & PROBE_PF_WRITE, 0u);
    KEXPECT_TRUE(syscall_table[last] == was);
    syscall_table_set(last, (const void *)0x1234);
    KEXPECT_TRUE(syscall_table[last] == (const void *)0x1234);
    syscall_table_set(last, was);
    KEXPECT_TRUE(syscall_table[last] == was);
    KASSERT_TRUE(vmm_query((uint64_t)phys_to_virt(pa), NULL, &flags));
    KEXPECT_EQ(flags & VM_WRITE, 0u); /* closed again */
}

KTEST(ghost_exec_refuses_unknown_and_not_user_callable_names_naming_them)
{
    struct mod_error err;
    unsigned before = process_count();
    KEXPECT_EQ(exec_error("not_user_callable", &err), MOD_E_UNRESOLVED);
    KEXPECT_STREQ(err.message, "program not_user_callable: undefined symbol 'kfree': a core "
                               "function, not user-callable");
    KEXPECT_EQ(exec_error("no_such_ghost", &err), MOD_E_UNRESOLVED);
    KEXPECT_STREQ(err.message, "program no_such_ghost: undefined symbol 'no_such_ghost': no "
                               "ghost function of that name");
    KEXPECT_EQ(test_program_run("not_user_callable", 0, NULL), -SYS_ENOEXEC);
    KEXPECT_EQ(test_program_run("no_such_ghost", 0, NULL), -SYS_ENOEXEC);
    KEXPECT_EQ(process_count(), before);
    /* A program that binds counter's exports (a module) loads. */
    KEXPECT_EQ(exec_error("imports", &err), MOD_OK);
}

KTEST(ghost_system_calls_are_pinned_to_their_stubs)
{
    unsigned before = process_count();
    KEXPECT_EQ(run_fault("raw_syscall"), FAULT(VEC_GPF));
    KEXPECT_EQ(run_fault("wrong_stub"), FAULT(VEC_GPF));
    KEXPECT_EQ(run_fault("right_stub"), 7); /* null's number from null's stub */
    KEXPECT_EQ(process_count(), before);
}

KTEST(ghost_pages_cannot_be_written_from_user_mode)
{
    KEXPECT_EQ(run_fault("write_ghost_table"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(run_fault("write_ghost_code"), FAULT(VEC_PAGE_FAULT));
    KEXPECT_EQ(test_program_run("exit42", 0, NULL), 42); /* the kernel carries on */
}

static unsigned own_pages(const struct process *p)
{
    unsigned n = 0;
    for (const struct user_page *up = p->pages; up; up = up->next)
        n++;
    return n;
}

KTEST(ghost_pages_are_shared_by_every_process)
{
    const char *argv[] = { "sleeper", "2000" }; /* alive while we look */
    struct process *a = test_program_spawn("sleeper", 2, argv);
    KASSERT_TRUE(a != NULL);
    size_t free_before = pmm_free_page_count();
    struct process *b = test_program_spawn("sleeper", 2, argv);
    size_t free_after = pmm_free_page_count();
    KASSERT_TRUE(b != NULL);
    for (unsigned i = 0; i < GHOST_PAGES; i++) {
        uint64_t pa_a = 0, pa_b = 0;
        unsigned flags_a = 0, flags_b = 0;
        KEXPECT_TRUE(vmm_query_in(a->space, GHOST_VA + i * PAGE_SIZE, &pa_a, &flags_a));
        KEXPECT_TRUE(vmm_query_in(b->space, GHOST_VA + i * PAGE_SIZE, &pa_b, &flags_b));
        KEXPECT_EQ(pa_a & ~(PAGE_SIZE - 1), ghost_page_phys(i));
        KEXPECT_EQ(pa_b & ~(PAGE_SIZE - 1), ghost_page_phys(i));
        KEXPECT_EQ(flags_a & VM_WRITE, 0);
        KEXPECT_EQ(flags_a & VM_USER, VM_USER);
        KEXPECT_EQ(flags_b & VM_WRITE, 0);
        KEXPECT_EQ(flags_b & VM_USER, VM_USER);
    }
    /* No page of a process's own is a ghost page. */
    for (const struct user_page *up = b->pages; up; up = up->next)
        for (unsigned i = 0; i < GHOST_PAGES; i++)
            KEXPECT_NE(up->pa, ghost_page_phys(i));
    kprintf("bench: process_extra_pages %u own (image + stack) of %ld taken in all "
            "(page tables, kernel stack, structures), %d ghost pages shared\n",
            own_pages(b), (long)free_before - (long)free_after, GHOST_PAGES);
    KEXPECT_EQ(process_wait(a), 0);
    KEXPECT_EQ(process_wait(b), 0);
}

/* A module whose export a program has bound as a ghost function does not
 * unload: ghost indices are never given back, and a call from a bound
 * program goes through the export's slot. */
KTEST(ghost_a_module_bound_by_programs_refuses_to_unload)
{
    const char *argv[] = { "count", "0" };
    KEXPECT_EQ(test_program_run("count", 2, argv), 0); /* binds counter's exports */
    struct module *m = module_find("counter");
    KASSERT_TRUE(m != NULL);
    struct mod_error err = { 0 };
    KEXPECT_EQ(module_unload(m, &err), MOD_E_BUSY);
    KEXPECT_TRUE(strstr(err.message, "programs are bound to its exports") != NULL);
    KEXPECT_TRUE(module_find("counter") == m);
    KEXPECT_EQ(test_program_run("count", 2, argv), 0); /* still served */
}

extern const uint8_t counter_v2_object[];
extern const uint64_t counter_v2_size;

#define COUNT_PROCESSES 4
#define COUNT_ADDS      "300000" /* long enough for the swap to land while they run */

/* Programs call counter_add through their ghost binding while counter is
 * swapped to 2.0 under them: each sees the new version on its next call
 * (no rebinding), and no increment is lost. */
KTEST(ghost_counter_calls_follow_a_live_update_with_no_lost_increment)
{
    uint64_t (*read)(void) = (uint64_t(*)(void))sym_resolve("counter_read");
    KASSERT_TRUE(read != NULL);
    uint64_t before = read();
    const char *argv[] = { "count", COUNT_ADDS };
    struct process *p[COUNT_PROCESSES];
    for (int i = 0; i < COUNT_PROCESSES; i++)
        p[i] = test_program_spawn("count", 2, argv);
    sched_sleep_ns(20 * 1000 * 1000);
    struct mod_image_section s = { .type = MOD_SECTION_MODULE,
                                   .version = 2u << 16,
                                   .size = counter_v2_size,
                                   .content = counter_v2_object };
    strlcpy(s.name, "counter", sizeof(s.name));
    struct update_report rep;
    struct mod_error err = { 0 };
    struct update_request req = { .by = "test" };
    struct update_verdict v;
    enum mod_status st = update_apply_image_section(&s, &req, &v);
    KEXPECT_EQ(st, MOD_OK);
    if (st)
        kprintf("    # swap: %s\n", v.text);
    for (int i = 0; i < COUNT_PROCESSES; i++) {
        KASSERT_TRUE(p[i] != NULL);
        KEXPECT_EQ(process_wait(p[i]), 1); /* saw exactly one change: 1 -> 2 */
    }
    KEXPECT_EQ(read() - before, (uint64_t)COUNT_PROCESSES * 300000);
    uint32_t (*version)(void) = (uint32_t(*)(void))sym_resolve("counter_version");
    KEXPECT_EQ(version(), 2);
    KEXPECT_EQ(swap_counter(1u << 16, &rep, &err), MOD_OK); /* leave 1.0 live */
    KEXPECT_EQ(version(), 1);
}
