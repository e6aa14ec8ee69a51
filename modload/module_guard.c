/* module_guard.c — run-time enforcement of export contracts (see
 * module_guard.h). */
#include "modload/module_guard.h"
#include <wisp/compiler.h>
#include <string.h>

_Static_assert(sizeof(struct module_guard_frame) <= MODULE_GUARD_FRAME_SIZE,
               "guard_thunk.asm's FRAME is too small");
_Static_assert(offsetof(struct module_guard, implementation) == 0,
               "guard_thunk.asm calls through the first field");

extern char module_guard_thunk[];

static uint8_t lock_names(const struct mod_manifest *m, mod_lock_set set, const char **out)
{
    uint8_t n = 0;
    for (uint32_t i = 0; i < m->lock_name_count && n < MOD_MANIFEST_MAX_LIST; i++)
        if (set & (1u << i))
            out[n++] = m->lock_names[i];
    return n;
}

void module_guard_init(struct module_guard *g, const struct mod_manifest *m, unsigned index,
                       void *implementation)
{
    const struct mod_contract *c = &m->exports[index];
    memset(g, 0, sizeof(*g));
    g->implementation = implementation;
    size_t n = strlen(m->name);
    memcpy(g->who, m->name, n);
    g->who[n] = ':';
    memcpy(g->who + n + 1, c->symbol, strlen(c->symbol) + 1);
    g->module = m->name;
    g->module_length = n;
    g->nosleep = c->sleeps == MOD_SLEEPS_NEVER;
    g->nonreentrant = !c->reentrant;
    g->acquires_count = lock_names(m, c->acquires, g->acquires);
    g->caller_holds_count = lock_names(m, c->caller_holds, g->caller_holds);
    g->reentry = (struct contract_nonreentrant)CONTRACT_NONREENTRANT_INIT(g->who);
}

void module_guard_write_thunk(uint8_t *code, uint64_t code_va, const struct module_guard *g)
{
    uint64_t guard = (uint64_t)g;
    int32_t rel = (int32_t)((uint64_t)module_guard_thunk - (code_va + 15));
    code[0] = 0x49; /* movabs $guard, %r11 */
    code[1] = 0xbb;
    memcpy(code + 2, &guard, 8);
    code[10] = 0xe9; /* jmp module_guard_thunk */
    memcpy(code + 11, &rel, 4);
    code[15] = 0xcc;
}

void module_guard_enter(struct module_guard *g, struct module_guard_frame *frame)
{
    if (g->nosleep)
        contract_nosleep_begin(g->who);
    for (unsigned i = 0; i < g->caller_holds_count; i++)
        contract_require_held(g->caller_holds[i], g->who);
    if (g->nonreentrant)
        contract_nonreentrant_enter(&g->reentry);
    contract_scope_begin(&frame->scope, g->who);
}

#if WISP_LOCKDEP_ENABLED
/* Classes named after the module must be in `acquires`; others (the
 * core's, other modules' taken through their exports) are not this
 * export's to declare. */
static void check_classes(struct module_guard *g, struct module_guard_frame *frame)
{
    const char *declared[MOD_MANIFEST_MAX_LIST + 64];
    unsigned n = 0;
    for (; n < g->acquires_count; n++)
        declared[n] = g->acquires[n];
    for (unsigned w = 0; w < CONTRACT_CLASS_WORDS; w++)
        for (uint64_t bits = frame->scope.taken[w]; bits && n < ARRAY_SIZE(declared);
             bits &= bits - 1) {
            const char *name = lockdep_class_name((uint16_t)(w * 64 + __builtin_ctzl(bits)));
            if (!name || strncmp(name, g->module, g->module_length) != 0 ||
                name[g->module_length] != '.')
                declared[n++] = name ? name : "";
        }
    contract_scope_check_declared(&frame->scope, declared, n);
}
#else
static void check_classes(struct module_guard *g, struct module_guard_frame *frame) {}
#endif

void module_guard_exit(struct module_guard *g, struct module_guard_frame *frame)
{
    contract_scope_end(&frame->scope);
    check_classes(g, frame);
    if (g->nonreentrant)
        contract_nonreentrant_exit(&g->reentry);
    if (g->nosleep)
        contract_nosleep_end();
}
