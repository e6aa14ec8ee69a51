/* module_guard.h — run-time enforcement of export contracts (debug builds:
 * WISP_LOCKDEP_ENABLED; kernel only).
 *
 * In a debug kernel every export of a module gets a 16-byte thunk in the
 * module's own text (after the import stubs): `movabs $guard, %r11; jmp
 * module_guard_thunk`. The thunk is the version's implementation of the
 * export (m->impl[i], what the dispatch thunk calls); the symbol table's
 * slot holds the identity's dispatch thunk, not the guard. The common thunk
 * (modload/guard_thunk.asm) saves the six argument registers, calls
 * module_guard_enter(), calls the implementation with the same arguments,
 * then module_guard_exit(), and returns the implementation's rax:rdx.
 *
 * Entering runs the lock validator's contract hooks (locks/contract.h) for
 * the export's manifest contract: a nosleep region for `sleeps never`,
 * contract_require_held() for each `caller-holds` class, the non-reentrant
 * check for `reentrant no`, and a contract scope whose classes are checked
 * on exit: a class named after the module that `acquires` does not list is
 * reported. Reports name "module:function" and the clause.
 *
 * Limit: an export takes at most six integer register arguments (no
 * arguments on the stack: the thunk's frame sits between the caller's and
 * the implementation's); the modules are built with -mgeneral-regs-only,
 * so no vector registers. Variadic exports are not supported.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <locks/contract.h>
#include "modload/contract/manifest.h"

#define MODULE_GUARD_THUNK_SIZE 16
#define MODULE_GUARD_FRAME_SIZE 160 /* bytes the common thunk reserves (asm) */

struct module_guard {
    void *implementation; /* first: the asm thunk calls through it */
    char who[MOD_MANIFEST_MODULE_MAX + MOD_MANIFEST_NAME_SIZE + 2];
    const char *module; /* the manifest's module name */
    size_t module_length;
    bool nosleep, nonreentrant;
    uint8_t acquires_count, caller_holds_count;
    const char *acquires[MOD_MANIFEST_MAX_LIST];
    const char *caller_holds[MOD_MANIFEST_MAX_LIST];
    struct contract_nonreentrant reentry;
};

/* The state of one guarded call, on the thunk's stack. */
struct module_guard_frame {
    struct contract_scope scope;
};

/* Whether exports are guarded in this build. */
static inline bool module_guards_enabled(void) { return WISP_LOCKDEP_ENABLED; }

/* Fills @guard for export @index of @manifest (which must outlive it),
 * calling @implementation. */
void module_guard_init(struct module_guard *guard, const struct mod_manifest *manifest,
                       unsigned index, void *implementation);

/* Writes the 16-byte thunk for @guard at @code (mapped writable now, at
 * @code_va when it runs). */
void module_guard_write_thunk(uint8_t *code, uint64_t code_va, const struct module_guard *guard);

/* Calls @guard's implementation through the common thunk with up to five
 * arguments, as a call through its slot would (for tests). */
uint64_t module_guard_invoke(const struct module_guard *guard, uint64_t a, uint64_t b, uint64_t c,
                             uint64_t d, uint64_t e);

/* Called by the common thunk. */
void module_guard_enter(struct module_guard *guard, struct module_guard_frame *frame);
void module_guard_exit(struct module_guard *guard, struct module_guard_frame *frame);
