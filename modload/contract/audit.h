/* audit.h — auditing modules against their manifests (shared by the host
 * tool wisp-audit and the kernel console's `audit`).
 *
 *   mod_audit_table    a manifest as a compact, readable table;
 *   mod_audit_set      consistency of a set of manifests: every finding of
 *                      mod_contract_check_set (imports satisfied, lock order
 *                      acyclic, classes defined, no duplicates) plus the
 *                      user-callable rule (a user-callable export must be
 *                      reentrant: user threads call it concurrently) and
 *                      the device lines (audit_devices.c: claims declared
 *                      twice, interfaces and classes that do not match);
 *   mod_audit_object   the code of one module (its ELF object, built with
 *                      -ffunction-sections -fdata-sections) against its
 *                      manifest: name, exports, imports declared, sleep
 *                      paths, lock classes defined and taken.
 *
 * Findings go to a callback, one at a time, each with its kind and a
 * message that names the module, the symbol, and what to change.
 * Pure code: no allocation, no locks; the caller provides the scratch
 * structures (static or heap: they are large). Callable from any context.
 */
#pragma once
#include "modload/contract/contract.h"
#include "modload/format/elf.h"

enum mod_audit_kind {
    MOD_AUDIT_MANIFEST = 1,      /* no manifest, or it does not parse */
    MOD_AUDIT_MODULE_NAME,       /* manifest names another module */
    MOD_AUDIT_EXPORTS,           /* manifest exports differ from .wisp.exports */
    MOD_AUDIT_UNDECLARED_IMPORT, /* the code imports a name the manifest omits */
    MOD_AUDIT_CONTRACT,          /* a set finding (mod_contract_check_set) */
    MOD_AUDIT_USER_CALLABLE,     /* a user-callable export that is not reentrant */
    MOD_AUDIT_SLEEP_PATH,        /* a non-sleeping export reaches a may-sleep function */
    MOD_AUDIT_LOCK_CLASS,        /* the code defines a class the manifest does not */
    MOD_AUDIT_ACQUIRES,          /* an export takes a class its `acquires` omits */
    MOD_AUDIT_CLAIMS,            /* two modules declare the same resource (audit_devices.c) */
    MOD_AUDIT_INTERFACE,         /* interfaces and classes that do not match (audit_devices.c) */
    MOD_AUDIT_KIND_COUNT
};

#define MOD_AUDIT_MESSAGE_SIZE 512u

struct mod_audit_finding {
    enum mod_audit_kind kind;
    char message[MOD_AUDIT_MESSAGE_SIZE];
};

typedef void (*mod_audit_report_fn)(void *context, const struct mod_audit_finding *finding);

/* Short stable name of a kind ("sleep path", ...): the words of MODULES.md. */
const char *mod_audit_kind_name(enum mod_audit_kind kind);

/* Writes @manifest as a table (like snprintf: returns the full length). */
size_t mod_audit_table(const struct mod_manifest *manifest, char *out, size_t size);

/* Every finding of a set of manifests; returns their number. */
size_t mod_audit_set(const struct mod_manifest *const *manifests, size_t count,
                     struct mod_lock_order *scratch, mod_audit_report_fn report, void *context);

/* audit_devices.c: the device findings of a set (mod_audit_set calls it),
 * and the device lines of one manifest's table. */
struct mod_text;
size_t mod_audit_devices(const struct mod_manifest *const *manifests, size_t count,
                         mod_audit_report_fn report, void *context);
void mod_audit_table_devices(struct mod_text *t, const struct mod_manifest *m);

/* The declarations half of mod_audit_object, which the kernel's loader
 * also runs before it loads a module (module_manifest.c): every name of
 * `.wisp.exports` has a contract in @manifest and every declared export is
 * exported (MOD_AUDIT_EXPORTS); every import of the code is declared
 * (MOD_AUDIT_UNDECLARED_IMPORT). Returns the number of findings. */
size_t mod_audit_declarations(const struct mod_elf *elf, const struct mod_manifest *manifest,
                              mod_audit_report_fn report, void *context);

#define MOD_AUDIT_MAX_SECTIONS 2048u
#define MOD_AUDIT_MAX_SYMBOLS  4096u

/* Scratch for mod_audit_object (about 70 KiB). */
struct mod_audit_scratch {
    uint32_t rela_of[MOD_AUDIT_MAX_SECTIONS];     /* SHT_RELA applying to a section */
    uint32_t function_of[MOD_AUDIT_MAX_SECTIONS]; /* function symbol at its start */
    int16_t class_of[MOD_AUDIT_MAX_SECTIONS];     /* data section: its lock class */
    uint32_t parent[MOD_AUDIT_MAX_SYMBOLS];       /* search tree: parent + 1 */
    uint32_t queue[MOD_AUDIT_MAX_SYMBOLS];
    char classes[32][MOD_MANIFEST_NAME_SIZE]; /* class names found in data */
    uint32_t class_count;
};

/**
 * mod_audit_object - parse the `.wisp.manifest` of module @name (its ELF
 * object @elf) into @parsed and audit the code against it. @providers are
 * the manifests that promise the contracts of its imports (the other
 * modules', the core's; @parsed itself may be among them). Returns the
 * number of findings; @parsed is usable only when no MOD_AUDIT_MANIFEST
 * finding was reported.
 */
size_t mod_audit_object(const char *name, const struct mod_elf *elf, struct mod_manifest *parsed,
                        const struct mod_manifest *const *providers, size_t provider_count,
                        struct mod_audit_scratch *scratch, mod_audit_report_fn report,
                        void *context);
