/* manifest_devices.h — the device lines of a manifest (`claims`,
 * `interface`, `method`, `implements`): printing (manifest_claims.c,
 * manifest_interfaces.c) and lookups shared by the loader, the audit and
 * the kernel's interface registry. Pure code, like manifest.h.
 */
#pragma once
#include "modload/contract/manifest.h"

struct mod_text;

/* The canonical text of a contract block; kind "export", "import" or
 * "method" (manifest_print.c). */
void mod_manifest_print_contract(struct mod_text *text, const struct mod_manifest *m,
                                 const struct mod_contract *c, const char *kind);
/* The device lines, canonical: claims in order, each interface with its
 * method blocks, implements lines. */
void mod_manifest_print_devices(struct mod_text *text, const struct mod_manifest *m);
void mod_manifest_print_claims(struct mod_text *text, const struct mod_manifest *m);

/* "pci 1234:11e8", "ports 0x3f8-0x3ff", "irq 4" */
void mod_claim_describe(const struct mod_claim_decl *c, char *out, size_t size);
/* Whether two declarations name overlapping resources. */
bool mod_claims_overlap(const struct mod_claim_decl *a, const struct mod_claim_decl *b);

/* Index of the interface iid the manifest defines, -1 if none. */
int mod_manifest_find_interface(const struct mod_manifest *m, const char *iid);
/* The export implementing method `method` for class clsid ("CLSID_METHOD")
 * into out (false: the name does not fit). */
bool mod_method_export_name(const char *clsid, const char *method, char *out, size_t size);
