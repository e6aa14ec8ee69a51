/* module.h — loaded modules: load from a signed image section, link
 * against the symbol table, run, unload. Kernel only.
 *
 * Loading is all or nothing: a module whose signature, ELF, relocation,
 * imports, exports or init fails leaves nothing behind (no memory, no
 * symbols, no users taken) and the error names the module and the cause.
 * Only the kernel, the boot configuration or a verified update loads a
 * module; nothing a user sends reaches module_load().
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/list.h>
#include "modload/format/error.h"
#include "modload/format/image.h"
#include "modload/format/reloc.h"
#include "modload/format/elf.h"
#include "modload/symtab.h"

/* Modules live in their own part of the kernel's top 2 GiB (so that
 * -mcmodel=kernel code and rel32 stubs reach the core and the slots). */
#define MODULE_AREA_START 0xffffffffa0000000ul
#define MODULE_AREA_END   0xffffffffbf000000ul
#define MODULE_MAX_DEPS   32

enum module_state { MODULE_LOADING, MODULE_LIVE, MODULE_UNLOADING };

struct symbol;
struct mod_manifest;
struct module_guard;

struct module {
    char name[MOD_IMAGE_NAME_SIZE];
    uint32_t version; /* major << 16 | minor */
    enum module_state state;
    uint64_t base, size; /* its part of the module area */
    uint64_t region_va[MOD_REGION_COUNT];
    uint64_t region_size[MOD_REGION_COUNT]; /* page-rounded */
    uint64_t stubs_va;                      /* import stubs, after the text */
    uint32_t stub_count;
    struct symbol **exports;
    uint32_t export_count;
    struct module *deps[MODULE_MAX_DEPS]; /* modules it imports from */
    uint32_t dep_count;
    uint32_t users; /* modules importing from it */
    void (*exit)(void);
    uint64_t load_ns;              /* verify + link + init time */
    struct mod_manifest *manifest; /* parsed .wisp.manifest (heap) */
    struct module_guard *guards;   /* debug builds: one per manifest export */
    uint64_t guards_va;            /* their thunks, after the import stubs */
    struct list_node node;         /* on the module list */
    /* Live update (dispatch.h, update.c). Every export's slot points at a
     * thunk of the identity; impl[i] is this version's code for export i
     * of the identity (its guard thunk in debug builds). */
    struct mod_identity *identity; /* shared by every version */
    bool owns_identity;            /* the live version frees it */
    void **impl;                   /* identity->export_count entries */
    uint32_t version_index;        /* its index in identity->versions */
    bool exit_when_freed;          /* unloaded: its exit runs when it is freed */
    void *(*state_get)(void);      /* wisp_state_get, or NULL: stateless */
    int (*state_adopt)(void *old_state, uint16_t old_state_version);
};

/* Opens the image GRUB loaded (the boot module named "image"), checks
 * every section's signature (a bad one is refused with its reason and the
 * boot goes on without it), and loads what the boot configuration names.
 * Process context (the init thread). */
void module_boot(void);

/* Loads the image module called name (and, on demand, the modules that
 * export its imports); MOD_OK with *out set (also when it was already
 * loaded), or an error in err. Process context, may sleep. */
enum mod_status module_load(const char *name, struct module **out, struct mod_error *err);

/* A module object as a load takes it: its verified bytes parsed once —
 * the ELF, and the manifest read and checked against the object
 * (module_manifest.h). The bytes must stay unchanged until the load is
 * done. */
struct module_object {
    char name[MOD_IMAGE_NAME_SIZE];
    uint32_t version;
    struct mod_elf elf;
    struct mod_manifest *manifest; /* kmalloc'ed; a load takes it (then NULL) */
};
enum mod_status module_object_open(struct module_object *o, const char *name, uint32_t version,
                                   const void *data, size_t size, struct mod_error *err);
/* Frees what a load did not take. Safe on a zeroed or failed object. */
void module_object_close(struct module_object *o);

/* The one load. identity NULL: a first version — it gets its own identity
 * and dispatch thunks, its exports are published, it goes on the module
 * list as LIVE (MOD_E_ALREADY_LOADED if one of that name is there).
 * Otherwise a new version of the live module of that identity, loaded
 * beside it for a live update: relocated, imports bound, guards and init
 * run, but nothing published and not on the module list, until
 * module_switch_version_locked(). All or nothing. Caller holds the module
 * lock; process context, sleeps. */
enum mod_status module_load_object_locked(struct module_object *o, struct mod_identity *identity,
                                          struct module **out, struct mod_error *err);
/* Makes next the live version of running's identity on the module list,
 * its symbols and its importers (the caller has switched current). */
void module_switch_version_locked(struct module *running, struct module *next);
/* Frees a version that is no longer current and that no chain is inside:
 * runs its exit if run_exit, drops its dependencies, frees its memory
 * after a grace period. */
void module_free_version_locked(struct module *m, bool run_exit);
void module_lock(void);
void module_unlock(void);
/* Panics unless the calling thread holds the module lock (as Linux's
 * lockdep_assert_held): every *_locked function of the loader calls it. */
void module_assert_locked(void);
struct module *module_find_locked(const char *name);

/* Retiring versions (retire.c): an old version that still has chains
 * inside after its replacement's retire step gave up waiting is handed to
 * module_retire_later(); the reaper thread frees it once its last chain
 * has left. module_reap_locked() frees those that are free to go and
 * returns how many remain (sleeps: freeing waits for a grace period).
 * module_retiring() counts them (takes the module lock); `lsmod` prints
 * them with module_retiring_print(). */
void module_retire_later(struct module *old);
unsigned module_reap_locked(void);
unsigned module_retiring(void);
void module_retiring_print(void);

/* Unloads a module nobody imports from (and no program is bound to, and
 * with no older version retiring): removes its symbols at once, so that
 * no new call enters; its exit runs and its memory is freed once the last
 * call chain inside has left — at once, or later by the reaper. Never
 * waits for those chains. Process context, may sleep (a grace period). */
enum mod_status module_unload(struct module *m, struct mod_error *err);

/* What a binder needs of a symbol, copied out of the table. */
struct module_symbol {
    enum sym_kind kind;
    uint32_t slot;
    struct module *owner; /* NULL: the core */
    void *object;         /* SYM_OBJECT: its address */
};
/* The one "bind, loading the provider on demand": looks name up and, when
 * nobody exports it yet, loads the verified image module that does and
 * looks again. MOD_E_NOT_FOUND when no module of the image exports it;
 * a provider's failed load as "'name' needs module X: why". Counts a
 * binding if count_binding. Caller holds the module lock. */
enum mod_status module_symbol_locked(const char *name, struct module_symbol *out,
                                     bool count_binding, struct mod_error *err);

/* Binds a name for the kernel or a program: module_symbol_locked under the
 * module lock (MOD_E_UNRESOLVED when nobody exports it); returns its slot,
 * the caller calls through sym_slot_load(slot). Counts the binding.
 * Process context, may sleep. */
enum mod_status module_bind(const char *name, uint32_t *slot, struct mod_error *err);

/* The export contract that the manifest of the image module exporting
 * name declares for it; loads nothing. MOD_E_UNRESOLVED when no module of
 * the image exports it. Process context (boot done). */
struct mod_contract;
enum mod_status module_image_export_contract(const char *name, struct mod_contract *out,
                                             struct mod_error *err);

struct module *module_find(const char *name); /* under the module lock's rules: boot/tests */
/* Pages of the module area in use (code, data, stubs, dispatch thunks of
 * every loaded and retiring version). Takes the module lock. */
size_t module_area_pages_used(void);

void module_for_each(void (*fn)(const struct module *m, void *arg), void *arg);
const char *module_state_name(enum module_state s);
/* The image section list as the kernel saw it at boot (for lsmod and tests):
 * whether each section verified, and why not. */
struct module_image_entry {
    char name[MOD_IMAGE_NAME_SIZE];
    uint32_t type, version;
    bool verified;
    char reason[MOD_ERROR_MESSAGE_MAX];
};
unsigned module_image_entries(const struct module_image_entry **out);
