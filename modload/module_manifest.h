/* module_manifest.h — the loader's manifest checks (kernel only).
 *
 * A module is loaded only with a manifest (`.wisp.manifest`, a non-loaded
 * section covered by the section's signature) that parses, names the
 * module, lists exactly the exports of `.wisp.exports` and declares every
 * import; each import must be satisfied by its provider's export contract
 * (a module's manifest, or the core's: kernel/core.wisp, built in); and the
 * lock orders of everything loaded stay acyclic. The table is in MODULES.md,
 * "What is checked at load". Caller holds the module mutex.
 */
#pragma once
#include "modload/contract/audit.h"
#include "modload/contract/contract.h"
#include "modload/format/elf.h"
#include "modload/format/error.h"

struct module;

/* The core's manifest, parsed from the built-in text on first use (a core
 * manifest that does not parse is a broken build: panic). Any context
 * after module_boot(); never sleeps after the first call. */
const struct mod_manifest *module_core_manifest(void);

/* Reads, parses and checks the manifest of module @module (its object
 * @elf) against the object itself: it names the module, lists exactly the
 * exports of .wisp.exports and declares every import. On success *out is
 * the manifest (kmalloc'ed; the caller owns it). Process context, may
 * sleep. */
enum mod_status module_manifest_read(const char *module, const struct mod_elf *elf,
                                     struct mod_manifest **out, struct mod_error *err);

/* Checks every import of @elf (already resolved: the providers are in the
 * symbol table) against its provider's export contract, and the lock order
 * of @loaded (the other live modules' manifests) plus m's. */
enum mod_status module_manifest_check_imports(struct module *m, const struct mod_elf *elf,
                                              const struct mod_manifest *const *loaded,
                                              size_t loaded_count, struct mod_error *err);

/* The console's `audit`: prints the contracts of every live module as a
 * table (and the core's), then the findings of the set check over what is
 * loaded (modload/contract/audit.h), or "no findings". Returns their number.
 * Process context, may sleep. */
size_t module_audit_print(void);
