/* acpi.c — finds CPUs and IO-APICs in ACPI's MADT, and other tables by
 * signature for the device code (the MCFG: kernel/dev/pci.c).
 *
 * Only what SMP and interrupt routing need: the RSDP from GRUB (or the BIOS
 * area), the RSDT/XSDT, and the MADT's local APIC, IO-APIC and interrupt
 * source override entries. Tables are read through the direct map. */
#include <wisp/apic.h>
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <wisp/percpu.h>
#include <string.h>

struct acpi_madt_info madt;
static const struct rsdp *rsdp_found;

struct sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __packed;

struct rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
} __packed;

static bool checksum_ok(const void *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

static const struct rsdp *find_rsdp(void)
{
    if (boot_info.rsdp_phys)
        return phys_to_virt(boot_info.rsdp_phys);
    for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16) {
        const struct rsdp *r = phys_to_virt(pa);
        if (memcmp(r->signature, "RSD PTR ", 8) == 0 && checksum_ok(r, 20))
            return r;
    }
    return NULL;
}

static const struct sdt_header *find_table(const struct rsdp *r, const char *sig)
{
    bool x = r->revision >= 2 && r->xsdt;
    const struct sdt_header *root = phys_to_virt(x ? r->xsdt : r->rsdt);
    size_t entry = x ? 8 : 4;
    size_t count = (root->length - sizeof(*root)) / entry;
    const uint8_t *entries = (const uint8_t *)(root + 1);
    for (size_t i = 0; i < count; i++) {
        uint64_t pa = 0;
        memcpy(&pa, entries + i * entry, entry);
        const struct sdt_header *h = phys_to_virt(pa);
        if (memcmp(h->signature, sig, 4) == 0 && checksum_ok(h, h->length))
            return h;
    }
    return NULL;
}

static void parse_madt(const struct sdt_header *h)
{
    const uint8_t *p = (const uint8_t *)h + sizeof(*h) + 8; /* lapic addr, flags */
    const uint8_t *end = (const uint8_t *)h + h->length;
    for (unsigned i = 0; i < 16; i++)
        madt.isa_irq_to_gsi[i] = i;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        switch (p[0]) {
        case 0: /* processor local APIC: uid, apic id, flags */
            if ((p[4] & 1) && madt.cpu_count < MAX_CPUS)
                madt.cpu_apic_ids[madt.cpu_count++] = p[3];
            break;
        case 1: /* IO-APIC: id, reserved, address, gsi base */
            if (!madt.ioapic_phys) {
                memcpy(&madt.ioapic_gsi_base, p + 8, 4);
                uint32_t a;
                memcpy(&a, p + 4, 4);
                madt.ioapic_phys = a;
            }
            break;
        case 2: { /* interrupt source override: bus, source, gsi, flags */
            uint32_t gsi;
            memcpy(&gsi, p + 4, 4);
            if (p[3] < 16) {
                madt.isa_irq_to_gsi[p[3]] = gsi;
                memcpy(&madt.isa_irq_flags[p[3]], p + 8, 2);
            }
            break;
        }
        }
        p += p[1];
    }
}

const void *acpi_find_table(const char *signature, uint32_t *length)
{
    const struct sdt_header *h = rsdp_found ? find_table(rsdp_found, signature) : NULL;
    if (h && length)
        *length = h->length;
    return h;
}

void acpi_init(void)
{
    const struct rsdp *r = rsdp_found = find_rsdp();
    if (!r)
        panic("acpi: no RSDP found (GRUB gave none and the BIOS area has none)");
    const struct sdt_header *h = find_table(r, "APIC");
    if (!h)
        panic("acpi: no MADT: cannot find the CPUs");
    parse_madt(h);
    if (!madt.cpu_count)
        panic("acpi: the MADT lists no usable CPU");
    cpu_count = madt.cpu_count;
    pr_info("acpi: %u CPUs, IO-APIC at %lx (GSI base %u)\n", madt.cpu_count, madt.ioapic_phys,
            madt.ioapic_gsi_base);
}
