/* test_symtab.c — the symbol table: core exports, register/lookup/remove,
 * slots at their constant address, 10,000 symbols. */
#include <wisp/ktest.h>
#include <wisp/mm.h>
#include <wisp/format.h>
#include <wisp/sched.h>
#include "modload/symtab.h"
#include <rcu/rcu.h>
#include <string.h>

static uint64_t answer_one(void) { return 1; }

KTEST(symtab_core_exports_resolve_to_the_core_functions)
{
    KEXPECT_EQ((uint64_t)sym_resolve("kmalloc"), (uint64_t)kmalloc);
    KEXPECT_EQ((uint64_t)sym_resolve("thread_create"), (uint64_t)thread_create);
    KEXPECT_EQ((uint64_t)sym_resolve("no_such_function_anywhere"), 0);
}

KTEST(symtab_register_lookup_call_remove)
{
    struct symbol *s;
    unsigned before = sym_count();
    KASSERT_EQ(sym_register("ktest_answer", (void *)answer_one, SYM_FUNCTION, NULL, 0x10000, &s),
               SYM_OK);
    KEXPECT_EQ(sym_count(), before + 1);
    /* The slot sits at its constant address and holds the implementation. */
    KEXPECT_EQ((uint64_t)sym_slot_address(s->slot), SYM_SLOTS_VA + 8 + 8ul * s->slot);
    uint64_t (*fn)(void) = (uint64_t(*)(void))sym_slot_load(s->slot);
    KEXPECT_EQ(fn(), 1);
    rcu_read_lock();
    KEXPECT_EQ((uint64_t)sym_lookup("ktest_answer"), (uint64_t)s);
    rcu_read_unlock();
    sym_remove(s);
    KEXPECT_EQ(sym_count(), before);
    KEXPECT_EQ((uint64_t)sym_resolve("ktest_answer"), 0);
}

KTEST(symtab_refuses_duplicates_and_bad_names)
{
    struct symbol *s;
    KEXPECT_EQ(sym_register("kmalloc", (void *)answer_one, SYM_FUNCTION, NULL, 0, &s),
               SYM_E_EXISTS);
    KEXPECT_EQ((uint64_t)sym_resolve("kmalloc"), (uint64_t)kmalloc); /* unchanged */
    KEXPECT_EQ(sym_register("", (void *)answer_one, SYM_FUNCTION, NULL, 0, &s), SYM_E_NAME);
    KEXPECT_EQ(sym_register("9lives", (void *)answer_one, SYM_FUNCTION, NULL, 0, &s), SYM_E_NAME);
    KEXPECT_EQ(sym_register("has space", (void *)answer_one, SYM_FUNCTION, NULL, 0, &s),
               SYM_E_NAME);
    char longname[SYM_NAME_MAX + 8];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    KEXPECT_EQ(sym_register(longname, (void *)answer_one, SYM_FUNCTION, NULL, 0, &s), SYM_E_NAME);
}

/* 10,000 symbols: all found, all distinct slots, all gone afterwards. */
KTEST(symtab_holds_ten_thousand_symbols)
{
    enum { N = 10000 };
    struct symbol **syms = kzalloc(sizeof(*syms) * N);
    KASSERT_TRUE(syms != NULL);
    unsigned before = sym_count();
    char name[32];
    int registered = 0;
    for (int i = 0; i < N; i++) {
        ksnprintf(name, sizeof(name), "ktest_many_%d", i);
        if (sym_register(name, (void *)(uintptr_t)(0x1000 + i), SYM_FUNCTION, NULL, 0, &syms[i]) !=
            SYM_OK)
            break;
        registered++;
    }
    KEXPECT_EQ(registered, N);
    KEXPECT_EQ(sym_count(), before + registered);
    int found = 0;
    for (int i = 0; i < registered; i++) {
        ksnprintf(name, sizeof(name), "ktest_many_%d", i);
        found += (uintptr_t)sym_resolve(name) == (uintptr_t)(0x1000 + i);
    }
    KEXPECT_EQ(found, registered);
    for (int i = 0; i < registered; i++)
        sym_remove(syms[i]);
    rcu_barrier(); /* slots come back after their grace period */
    KEXPECT_EQ(sym_count(), before);
    kfree(syms);
}
