/* resource.h — the registry of hardware resources (kernel/dev/resource.c):
 * PCI functions, MMIO ranges, I/O port ranges, IO-APIC lines, interrupt
 * vectors and DMA memory, each claimed by one owner at a time (or shared
 * by owners that all claim it shared).
 *
 * A module claims in its init or from a call into it (its exports run with
 * the module's pin: modload/dispatch.h); the claim belongs to the module's
 * identity, not to one version, so a live update hands it to the new
 * version with no window (MODULES.md, "Devices, resources and
 * interfaces"). A claim must lie inside what the module's manifest
 * declares (`claims pci V:D`, `claims ports A-B`, `claims irq N`; MMIO and
 * vectors follow from a claimed PCI function, DMA memory is RAM); a claim
 * outside it, or one that conflicts, is refused with a message naming the
 * current owner. An unload or a failed load releases every claim.
 *
 * Context: process; may sleep (one mutex).
 */
#pragma once
#include <wisp/compiler.h>

enum resource_kind {
    RESOURCE_PCI,    /* first = last = PCI_ADDRESS(bus, dev, fn) */
    RESOURCE_MMIO,   /* physical byte range */
    RESOURCE_PORTS,  /* I/O port range */
    RESOURCE_IRQ,    /* IO-APIC (ISA) line */
    RESOURCE_VECTOR, /* CPU interrupt vector (MSI/MSI-X, msi.c) */
    RESOURCE_DMA,    /* physical range of DMA memory (dma.c) */
    RESOURCE_KIND_COUNT
};

#define RESOURCE_SHARED 1u /* others that claim it shared may claim it too */

/* Why a claim was refused: "ports 0x3f8-0x3ff are claimed by module
 * 'console' (instance com1)". */
#define RESOURCE_REASON_SIZE 192
struct resource_refusal {
    char message[RESOURCE_REASON_SIZE];
};

/**
 * resource_claim - claim [first, last] of kind for the calling module.
 * @instance: the instance the claim serves ("edu0"), or NULL.
 * @why: filled when refused (may be NULL; the refusal is logged anyway).
 *
 * Returns a claim id (> 0), or -1. Refused: not called from a module,
 * outside the module's manifest, or in conflict with a claim of another
 * owner (a claim of the same identity again is refused too, except by a
 * new version being loaded for a live update, which takes over its own).
 * Vectors and DMA memory are not claimed here: msi_vector_alloc and
 * dma_alloc choose them and claim them for the caller.
 */
long resource_claim(enum resource_kind kind, uint64_t first, uint64_t last, unsigned flags,
                    const char *instance, struct resource_refusal *why);
/* Releases a claim of the calling module; 0, or -1 if it is not its own. */
int resource_release(long claim);

/* The core's own claims (COM2 for the update line): owner "core". */
long resource_claim_core(enum resource_kind kind, uint64_t first, uint64_t last, unsigned flags,
                         const char *instance, struct resource_refusal *why);
void resource_release_core(long claim);

/* The owner of the claim covering (kind, value): copies the module name
 * and instance ("" when none) and returns true, false when unclaimed. */
bool resource_owner(enum resource_kind kind, uint64_t value, char *module, size_t module_size,
                    char *instance, size_t instance_size);

/* The audit (the console's and the gate's `audit`): prints the claims
 * refused because they lie outside their module's manifest (the last 8)
 * and returns how many there were since boot. Process context. */
unsigned resource_audit_print(void);

/* "pci", "mmio", "ports", "irq", "vector", "dma" */
const char *resource_kind_name(enum resource_kind kind);

/* DMA memory (dma.c): pages physically contiguous below 4 GiB, zeroed,
 * claimed as RESOURCE_DMA by the caller; the kernel address, its physical
 * address in *phys. dma_free releases them (caller's own only). */
void *dma_alloc(size_t bytes, uint64_t *phys, const char *instance);
int dma_free(void *memory);

/* Interrupt vectors for MSI/MSI-X (msi.c): one of 0x50..0xdf, claimed as
 * RESOURCE_VECTOR by the caller for instance. Its handler is the caller's
 * export named handler (declared context interrupt or any, sleeps never),
 * called as handler(context) through the export's dispatch thunk, so a
 * live update reaches it; the core sends the EOI. Returns the vector, or
 * -1 (none free, not a module, no such export or a contract that does not
 * allow it). A new version loaded for an update gets the vector its
 * identity has for instance. msi_vector_free releases (the caller's own
 * only). When a claim goes with its module (unload, failed load) the core
 * clears the vector, frees DMA memory, and turns off MSI, MSI-X and bus
 * mastering of a PCI function. */
int msi_vector_alloc(const char *handler, void *context, const char *instance);
int msi_vector_free(int vector);
