/* pci.c — PCI(e) enumeration at boot: configuration space through ECAM
 * (ACPI MCFG) or the legacy ports, BAR sizing, capabilities, MSI and MSI-X.
 *
 * Enumeration walks bus 0 and, through bridges, their secondary buses
 * (only the buses that exist are mapped: 1 MiB of ECAM each). The list is
 * written once by pci_init, before any module loads, and only read after:
 * no lock. Configuration access is not checked against the resource
 * registry (drivers are ring-0 modules: the registry arbitrates between
 * them, it does not sandbox them). Legacy accesses are two port operations that must not
 * interleave: legacy_lock (a leaf spinlock) keeps each pair whole.
 */
#include <wisp/pci.h>
#include <wisp/apic.h>
#include <wisp/boot.h>
#include <wisp/cpu.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/resource.h>
#include <wisp/time.h>
#include <locks/spinlock.h>
#include <string.h>

#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_BAR0           0x10
#define PCI_CAPABILITIES   0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_SECONDARY_BUS  0x19
#define PCI_STATUS_CAPS    0x10
#define PCI_CMD_IO         0x1
#define PCI_CMD_MEMORY     0x2
#define PCI_CMD_MASTER     0x4
#define CAP_MSI            0x05
#define CAP_MSIX           0x11
#define MSI_ADDRESS_BASE   0xfee00000u

static struct pci_function functions[PCI_MAX_FUNCTIONS];
static unsigned function_count;
static uint8_t *ecam_bus[256]; /* mapped ECAM of each bus, NULL: none */
static uint64_t ecam_base;
static uint8_t ecam_start_bus, ecam_end_bus;
static bool use_ecam;
static bool enumerated; /* after pci_init: no bus is mapped any more */
static struct spinlock legacy_lock = SPINLOCK_INIT("pci_legacy");
static volatile uint32_t *msix_tables[PCI_MAX_FUNCTIONS]; /* by function index */

/* ---- configuration space ---- */

static uint32_t legacy_address(uint32_t address, uint16_t offset)
{
    return 0x80000000u | address << 8 | (offset & 0xfc);
}

uint32_t pci_legacy_read32(uint32_t address, uint16_t offset)
{
    if (offset >= 256)
        return 0xffffffffu;
    uint64_t flags = spin_lock_irqsave(&legacy_lock);
    outl(0xcf8, legacy_address(address, offset));
    uint32_t v = inl(0xcfc);
    spin_unlock_irqrestore(&legacy_lock, flags);
    return v;
}

static void legacy_write32(uint32_t address, uint16_t offset, uint32_t value)
{
    uint64_t flags = spin_lock_irqsave(&legacy_lock);
    outl(0xcf8, legacy_address(address, offset));
    outl(0xcfc, value);
    spin_unlock_irqrestore(&legacy_lock, flags);
}

/* The ECAM word of address+offset, mapping its bus on first use during
 * enumeration; afterwards only the buses found then are reachable (any
 * context: nothing is mapped), others read as all ones. */
static volatile uint32_t *ecam_word(uint32_t address, uint16_t offset)
{
    uint8_t bus = (uint8_t)(address >> 8);
    if (bus < ecam_start_bus || bus > ecam_end_bus || offset >= 4096)
        return NULL;
    if (!ecam_bus[bus] && !enumerated) /* mapping is for boot: process context */
        ecam_bus[bus] =
            vmm_map_mmio(ecam_base + ((uint64_t)(bus - ecam_start_bus) << 20), 1u << 20);
    if (!ecam_bus[bus])
        return NULL;
    return (volatile uint32_t *)(ecam_bus[bus] + ((address & 0xff) << 12) + (offset & ~3u));
}

uint32_t pci_config_read32(uint32_t address, uint16_t offset)
{
    if (!use_ecam)
        return pci_legacy_read32(address, offset);
    volatile uint32_t *w = ecam_word(address, offset);
    return w ? *w : 0xffffffffu;
}

void pci_config_write32(uint32_t address, uint16_t offset, uint32_t value)
{
    if (!use_ecam) {
        if (offset < 256)
            legacy_write32(address, offset, value);
        return;
    }
    volatile uint32_t *w = ecam_word(address, offset);
    if (w)
        *w = value;
}

uint16_t pci_config_read16(uint32_t address, uint16_t offset)
{
    return (uint16_t)(pci_config_read32(address, offset & ~3u) >> ((offset & 2) * 8));
}

void pci_config_write16(uint32_t address, uint16_t offset, uint16_t value)
{
    uint32_t shift = (offset & 2) * 8;
    uint32_t word = pci_config_read32(address, offset & ~3u);
    word = (word & ~(0xffffu << shift)) | (uint32_t)value << shift;
    pci_config_write32(address, offset & ~3u, word);
}

static uint8_t config_read8(uint32_t address, uint16_t offset)
{
    return (uint8_t)(pci_config_read32(address, offset & ~3u) >> ((offset & 3) * 8));
}

const char *pci_access_method(void) { return use_ecam ? "ecam" : "legacy"; }

/* ---- MCFG ---- */

struct mcfg_entry {
    uint64_t base;
    uint16_t segment;
    uint8_t start_bus, end_bus;
    uint32_t reserved;
} __packed;

static void find_ecam(void)
{
    uint32_t length = 0;
    const char *pci = boot_arg("pci");
    if (pci && strncmp(pci, "legacy", 6) == 0 && (pci[6] == 0 || pci[6] == ' ')) {
        pr_info("pci: legacy configuration ports (pci=legacy)\n");
        return;
    }
    const uint8_t *mcfg = acpi_find_table("MCFG", &length);
    if (!mcfg || length < 44 + sizeof(struct mcfg_entry)) {
        pr_info("pci: no ACPI MCFG table: legacy configuration ports\n");
        return;
    }
    struct mcfg_entry e;
    memcpy(&e, mcfg + 44, sizeof(e)); /* segment 0: the first entry */
    if (e.segment != 0 || e.end_bus < e.start_bus) {
        pr_warn("pci: MCFG entry for segment %u, buses %u-%u unusable: legacy ports\n", e.segment,
                e.start_bus, e.end_bus);
        return;
    }
    ecam_base = e.base;
    ecam_start_bus = e.start_bus;
    ecam_end_bus = e.end_bus;
    use_ecam = true;
}

/* ---- one function ---- */

static void size_bars(struct pci_function *f)
{
    unsigned bars = f->header_type == 0 ? 6 : 2;
    uint16_t command = pci_config_read16(f->address, PCI_COMMAND);
    pci_config_write16(f->address, PCI_COMMAND, command & ~(PCI_CMD_IO | PCI_CMD_MEMORY));
    for (unsigned i = 0; i < bars; i++) {
        uint16_t reg = (uint16_t)(PCI_BAR0 + 4 * i);
        uint32_t low = pci_config_read32(f->address, reg);
        pci_config_write32(f->address, reg, 0xffffffffu);
        uint32_t mask = pci_config_read32(f->address, reg);
        pci_config_write32(f->address, reg, low);
        struct pci_bar *b = &f->bars[i];
        if (low & 1) { /* I/O */
            uint32_t size = ~(mask & ~3u) + 1;
            if (mask & ~3u) {
                b->kind = PCI_BAR_IO;
                b->base = low & ~3u;
                b->size = size & 0xffff;
            }
            continue;
        }
        if ((mask & ~0xfu) == 0 && !(((low >> 1) & 3) == 2))
            continue; /* not implemented: reads back 0 */
        bool is64 = ((low >> 1) & 3) == 2 && i + 1 < bars;
        uint64_t base = low & ~0xfu, probe = mask & ~0xfu;
        if (is64) {
            uint16_t high_reg = (uint16_t)(reg + 4);
            uint32_t high = pci_config_read32(f->address, high_reg);
            pci_config_write32(f->address, high_reg, 0xffffffffu);
            uint32_t high_mask = pci_config_read32(f->address, high_reg);
            pci_config_write32(f->address, high_reg, high);
            base |= (uint64_t)high << 32;
            probe |= (uint64_t)high_mask << 32;
        } else {
            probe |= 0xffffffff00000000ull;
        }
        if (probe & ~0xfull) {
            b->kind = is64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32;
            b->prefetchable = low & 8;
            b->base = base;
            b->size = ~probe + 1;
        }
        if (is64)
            i++; /* the upper half is not a BAR of its own */
    }
    pci_config_write16(f->address, PCI_COMMAND, command);
}

static void read_capabilities(struct pci_function *f)
{
    if (!(pci_config_read16(f->address, PCI_STATUS) & PCI_STATUS_CAPS))
        return;
    uint8_t at = config_read8(f->address, PCI_CAPABILITIES) & ~3u;
    for (unsigned guard = 0; at >= 0x40 && guard < 48; guard++) {
        uint8_t id = config_read8(f->address, at);
        if (f->cap_count < PCI_MAX_CAPS)
            f->cap_ids[f->cap_count++] = id;
        if (id == CAP_MSI && !f->msi_cap)
            f->msi_cap = at;
        if (id == CAP_MSIX && !f->msix_cap) {
            f->msix_cap = at;
            f->msix_table_size = (uint16_t)((pci_config_read16(f->address, at + 2) & 0x7ff) + 1);
        }
        at = config_read8(f->address, at + 1) & ~3u;
    }
}

static void scan_bus(uint8_t bus, unsigned depth);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, unsigned depth)
{
    uint32_t address = PCI_ADDRESS(bus, dev, fn);
    uint32_t id = pci_config_read32(address, 0);
    if (function_count == PCI_MAX_FUNCTIONS) {
        pr_warn("pci: more than %u functions: %02x:%02x.%u and later ignored\n", PCI_MAX_FUNCTIONS,
                bus, dev, fn);
        return;
    }
    struct pci_function *f = &functions[function_count++];
    uint32_t class_word = pci_config_read32(address, 8);
    f->address = address;
    f->vendor = (uint16_t)id;
    f->device = (uint16_t)(id >> 16);
    f->revision = (uint8_t)class_word;
    f->prog_if = (uint8_t)(class_word >> 8);
    f->subclass = (uint8_t)(class_word >> 16);
    f->class_code = (uint8_t)(class_word >> 24);
    f->header_type = config_read8(address, 0x0e) & 0x7f;
    f->irq_line = config_read8(address, PCI_INTERRUPT_LINE);
    f->irq_pin = config_read8(address, PCI_INTERRUPT_LINE + 1);
    size_bars(f);
    read_capabilities(f);
    if (f->header_type == 1 && depth < 8) {
        uint8_t secondary = config_read8(address, PCI_SECONDARY_BUS);
        if (secondary > bus)
            scan_bus(secondary, depth + 1);
    }
}

static void scan_bus(uint8_t bus, unsigned depth)
{
    for (uint8_t dev = 0; dev < 32; dev++) {
        uint32_t id = pci_config_read32(PCI_ADDRESS(bus, dev, 0), 0);
        if ((id & 0xffff) == 0xffff)
            continue;
        bool multi = config_read8(PCI_ADDRESS(bus, dev, 0), 0x0e) & 0x80;
        for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++)
            if ((pci_config_read32(PCI_ADDRESS(bus, dev, fn), 0) & 0xffff) != 0xffff)
                add_function(bus, dev, fn, depth);
    }
}

/* What the core drives itself is the core's in the resource registry, so
 * that no module can claim it: the configuration ports and ECAM, the
 * IO-APIC's registers, the isa-debug-exit port of the tests. */
static void claim_core_ranges(void)
{
    resource_claim_core(RESOURCE_PORTS, 0xcf8, 0xcff, 0, "pci-config", NULL);
    if (use_ecam)
        resource_claim_core(RESOURCE_MMIO, ecam_base,
                            ecam_base + ((uint64_t)(ecam_end_bus - ecam_start_bus + 1) << 20) - 1,
                            0, "ecam", NULL);
    if (madt.ioapic_phys)
        resource_claim_core(RESOURCE_MMIO, madt.ioapic_phys, madt.ioapic_phys + 0xfff, 0, "ioapic",
                            NULL);
    resource_claim_core(RESOURCE_PORTS, 0xf4, 0xf7, 0, "debug-exit", NULL);
}

void pci_init(void)
{
    uint64_t start = clock_ns();
    find_ecam();
    scan_bus(0, 0);
    enumerated = true;
    pr_info("pci: %u functions through %s%s in %lu us\n", function_count, pci_access_method(),
            use_ecam ? " (ACPI MCFG)" : "", (clock_ns() - start) / 1000);
    claim_core_ranges();
    for (unsigned i = 0; i < function_count; i++) {
        const struct pci_function *f = &functions[i];
        pr_info("pci: %02x:%02x.%u %04x:%04x class %02x.%02x %s%s%s\n", f->address >> 8,
                (f->address >> 3) & 31, f->address & 7, f->vendor, f->device, f->class_code,
                f->subclass, pci_class_name(f->class_code), f->msi_cap ? " msi" : "",
                f->msix_cap ? " msi-x" : "");
    }
}

/* ---- lookups ---- */

unsigned pci_function_count(void) { return function_count; }

const struct pci_function *pci_function_at(unsigned i)
{
    return i < function_count ? &functions[i] : NULL;
}

const struct pci_function *pci_find_address(uint32_t address)
{
    for (unsigned i = 0; i < function_count; i++)
        if (functions[i].address == address)
            return &functions[i];
    return NULL;
}

const struct pci_function *pci_find_device(uint16_t vendor, uint16_t device, unsigned index)
{
    for (unsigned i = 0; i < function_count; i++)
        if (functions[i].vendor == vendor && functions[i].device == device && index-- == 0)
            return &functions[i];
    return NULL;
}

void pci_enable(uint32_t address)
{
    uint16_t command = pci_config_read16(address, PCI_COMMAND);
    pci_config_write16(address, PCI_COMMAND,
                       command | PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

/* ---- message-signalled interrupts ---- */

int pci_msi_enable(uint32_t address, uint8_t vector, uint32_t apic_id)
{
    const struct pci_function *f = pci_find_address(address);
    if (!f || !f->msi_cap)
        return -1;
    uint16_t at = f->msi_cap;
    uint16_t control = pci_config_read16(address, at + 2);
    bool is64 = control & 0x80;
    pci_config_write32(address, at + 4, MSI_ADDRESS_BASE | (apic_id & 0xff) << 12);
    if (is64)
        pci_config_write32(address, at + 8, 0);
    pci_config_write16(address, (uint16_t)(at + (is64 ? 12 : 8)), vector);
    control = (uint16_t)((control & ~0x70u) | 1u); /* one message, enabled */
    pci_config_write16(address, at + 2, control);
    return 0;
}

void pci_msi_disable(uint32_t address)
{
    const struct pci_function *f = pci_find_address(address);
    if (f && f->msi_cap)
        pci_config_write16(address, f->msi_cap + 2,
                           pci_config_read16(address, f->msi_cap + 2) & ~1u);
}

static volatile uint32_t *msix_table(const struct pci_function *f)
{
    unsigned index = (unsigned)(f - functions);
    if (msix_tables[index])
        return msix_tables[index];
    uint32_t where = pci_config_read32(f->address, f->msix_cap + 4);
    const struct pci_bar *bar = &f->bars[where & 7];
    if ((where & 7) >= PCI_BAR_COUNT || bar->kind < PCI_BAR_MEM32 || !bar->base)
        return NULL;
    msix_tables[index] = vmm_map_mmio(bar->base + (where & ~7u), (size_t)f->msix_table_size * 16);
    return msix_tables[index];
}

int pci_msix_enable(uint32_t address, uint16_t entry, uint8_t vector, uint32_t apic_id)
{
    const struct pci_function *f = pci_find_address(address);
    if (!f || !f->msix_cap || entry >= f->msix_table_size)
        return -1;
    volatile uint32_t *table = msix_table(f);
    if (!table)
        return -1;
    volatile uint32_t *e = table + entry * 4;
    e[0] = MSI_ADDRESS_BASE | (apic_id & 0xff) << 12;
    e[1] = 0;
    e[2] = vector;
    e[3] = 0; /* unmasked */
    uint16_t control = pci_config_read16(address, f->msix_cap + 2);
    pci_config_write16(address, f->msix_cap + 2, (uint16_t)((control | 0x8000u) & ~0x4000u));
    return 0;
}

void pci_msix_disable(uint32_t address)
{
    const struct pci_function *f = pci_find_address(address);
    if (f && f->msix_cap)
        pci_config_write16(address, f->msix_cap + 2,
                           pci_config_read16(address, f->msix_cap + 2) & ~0x8000u);
}

int64_t pci_msix_entry_data(uint32_t address, uint16_t entry)
{
    const struct pci_function *f = pci_find_address(address);
    if (!f || !f->msix_cap || entry >= f->msix_table_size)
        return -1;
    volatile uint32_t *table = msix_table(f);
    return table ? (int64_t)table[entry * 4 + 2] : -1;
}

const char *pci_class_name(uint8_t class_code)
{
    static const char *const names[] = {
        "unclassified", "storage", "network", "display", "multimedia", "memory",     "bridge",
        "comms",        "system",  "input",   "docking", "processor",  "serial-bus",
    };
    return class_code < ARRAY_SIZE(names) ? names[class_code] : "other";
}
