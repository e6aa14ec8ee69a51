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
    uint32_t version_slot;         /* its slot in identity->versions */
    void *(*state_get)(void);      /* wisp_state_get, or NULL: stateless */
    int (*state_adopt)(void *old_state, uint16_t old_state_version);
};

/* Opens the image GRUB loaded (the boot module named "image"), checks
 * every section's signature (a bad one is refused with its reason and the
 * boot goes on without it), and loads what the boot configuration names.
 * Process context (the init thread). */
void module_boot(void);

/* Loads the image module called name (and, on demand, the modules that
 * export its imports). MOD_OK with *out set, or an error in err. Process
 * context, may sleep. */
enum mod_status module_load(const char *name, struct module **out, struct mod_error *err);

/* Loads a module from an already verified ELF object (boot and update). */
enum mod_status module_load_object(const char *name, uint32_t version, const void *elf, size_t size,
                                   struct module **out, struct mod_error *err);

/* Live update (update.c): loads and links version `version` of the live
 * module `running` beside it — relocated, imports bound, guards and init
 * run, but its exports not published: it shares running's identity and is
 * not on the module list. Process context; caller holds the module lock
 * (module_lock()). */
enum mod_status module_load_version_locked(struct module *running, uint32_t version,
                                           const void *elf, size_t size, struct module **out,
                                           struct mod_error *err);
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

/* Unloads a module nobody imports from: runs its exit, removes its symbols,
 * and frees its memory after a grace period. Process context, may sleep. */
enum mod_status module_unload(struct module *m, struct mod_error *err);

/* Binds a name for the kernel (or, later, a process): finds its symbol,
 * loading on demand the image module that exports it, and returns its
 * slot; the caller calls through sym_slot_load(slot). Counts the binding.
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
