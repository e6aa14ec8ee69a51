/* pci.h — PCI(e) functions found at boot (kernel/dev/pci.c), their
 * configuration space, BARs, capabilities and message-signalled interrupts.
 *
 * The core enumerates once, at boot, through ECAM (the ACPI MCFG table, as
 * on q35) or, when there is no MCFG, the legacy ports 0xcf8/0xcfc. The
 * list never changes afterwards (no hot plug), so readers need no lock;
 * who drives a function is the resource registry's business (resource.h:
 * a driver claims RESOURCE_PCI with the function's address).
 */
#pragma once
#include <wisp/compiler.h>

#define PCI_MAX_FUNCTIONS 64
#define PCI_BAR_COUNT     6
#define PCI_MAX_CAPS      16

/* bus << 8 | device << 3 | function: the resource registry's key */
#define PCI_ADDRESS(bus, dev, fn) ((uint32_t)(bus) << 8 | (uint32_t)(dev) << 3 | (uint32_t)(fn))

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
    enum pci_bar_kind kind;
    bool prefetchable;
    uint64_t base, size; /* size from the all-ones probe; 0: unused */
};

struct pci_function {
    uint32_t address; /* PCI_ADDRESS */
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t header_type; /* 0 device, 1 bridge */
    uint8_t irq_line, irq_pin;
    struct pci_bar bars[PCI_BAR_COUNT];
    uint8_t cap_count;
    uint8_t cap_ids[PCI_MAX_CAPS];
    uint8_t msi_cap;          /* offset of the MSI capability, 0: none */
    uint8_t msix_cap;         /* offset of the MSI-X capability, 0: none */
    uint16_t msix_table_size; /* entries */
};

/* Boot (the init thread, before the modules): enumerates every function.
 * Process context. */
void pci_init(void);

/* How the configuration space was reached: "ecam" or "legacy". */
const char *pci_access_method(void);

unsigned pci_function_count(void);
/* Function i (0..count-1), or NULL. */
const struct pci_function *pci_function_at(unsigned i);
/* The function at address, or NULL. */
const struct pci_function *pci_find_address(uint32_t address);
/* The index-th function (0, 1, ...) with vendor:device, or NULL. */
const struct pci_function *pci_find_device(uint16_t vendor, uint16_t device, unsigned index);

/* Configuration space of a function found at boot (offset < 4096 with
 * ECAM, < 256 legacy; aligned to the size). Any context; never sleeps. */
uint32_t pci_config_read32(uint32_t address, uint16_t offset);
void pci_config_write32(uint32_t address, uint16_t offset, uint32_t value);
uint16_t pci_config_read16(uint32_t address, uint16_t offset);
void pci_config_write16(uint32_t address, uint16_t offset, uint16_t value);
/* Through the legacy ports whatever the method (tests compare the two). */
uint32_t pci_legacy_read32(uint32_t address, uint16_t offset);

/* Sets memory and I/O decoding and bus mastering in the command register. */
void pci_enable(uint32_t address);

/* Points the function's MSI at vector on the CPU with apic_id and enables
 * it (one message); 0, or -1 when it has no MSI capability. */
int pci_msi_enable(uint32_t address, uint8_t vector, uint32_t apic_id);
void pci_msi_disable(uint32_t address);
/* Programs MSI-X table entry `entry` with vector on apic_id, unmasks it and
 * enables MSI-X; 0, or -1 (no MSI-X, entry out of range, table unmapped). */
int pci_msix_enable(uint32_t address, uint16_t entry, uint8_t vector, uint32_t apic_id);
void pci_msix_disable(uint32_t address);
/* The message data of MSI-X entry `entry` as the device holds it, or -1. */
int64_t pci_msix_entry_data(uint32_t address, uint16_t entry);

/* "1af4:1001" style names for the devices tool and the log */
const char *pci_class_name(uint8_t class_code);
