/* loader.h — what the loader's own files share (module.c, area.c,
 * boot_image.c, link.c, identity.c, retire.c, history.c). Not for use
 * outside modload/: other code goes through module.h.
 *
 * module_mutex serializes every load, unload and update, and protects the
 * module list, the module-area allocator, each module's deps/users, the
 * retiring list and the version history.
 */
#pragma once
#include <locks/mutex.h>
#include "modload/module.h"
#include "modload/format/elf.h"

extern struct mutex module_mutex;
extern struct list_node module_list; /* live and loading modules; module_mutex */

/* ---- the module area (area.c) */
/* First fit; returns the address of `pages` free pages, or 0. */
uint64_t area_alloc(size_t pages);
/* Allocates, zeroes and maps read-write the pages of [va, va + pages);
 * false (nothing left mapped... by the caller's area_free) on no memory. */
bool area_map(uint64_t va, size_t pages);
/* Unmaps and frees the pages of [va, va + pages) and returns the range. */
void area_free(uint64_t va, size_t pages);
void area_protect(uint64_t va, uint64_t size, unsigned flags);

/* ---- the boot image (boot_image.c) */
/* The verified module section called name, if the image has one. */
enum mod_status boot_image_module(const char *name, struct mod_image_section *out,
                                  struct mod_error *err);
/* The verified module section of the image that exports name, or NULL. */
const char *boot_image_exporting(const char *name);

/* ---- loading (module.c) */
/* Finds a loaded module or loads it from the image (on demand). */
enum mod_status module_load_locked(const char *name, struct module **out, struct mod_error *err);
/* Frees what a failed or unloaded module holds; its symbols are gone. */
void module_release(struct module *m);

/* ---- linking (link.c) */
/* Reads the manifest, lays out, copies, relocates (loading providers on
 * demand), checks contracts, installs guards, protects, registers the
 * exports and runs init. On failure the caller releases m. */
enum mod_status module_link(struct module *m, const struct mod_elf *elf, struct mod_error *err);

/* ---- identities and exports (identity.c) */
void identity_free(struct mod_identity *id);
enum mod_status exports_register(struct module *m, const struct mod_elf *elf,
                                 const struct mod_load_target *target, struct mod_error *err);
void exports_remove(struct module *m);
