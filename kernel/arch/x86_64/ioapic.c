/* ioapic.c — routes legacy device IRQs (the UARTs) to CPUs. The 8259 PICs
 * are masked; every device interrupt comes through the IO-APIC. */
#include <wisp/apic.h>
#include <wisp/mm.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>

static volatile uint32_t *ioapic;

static void ioapic_write(uint32_t reg, uint32_t v)
{
    ioapic[0] = reg;
    ioapic[4] = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
    ioapic[0] = reg;
    return ioapic[4];
}

void ioapic_init(void)
{
    outb(0x21, 0xff); /* mask both 8259 PICs */
    outb(0xa1, 0xff);
    if (!madt.ioapic_phys)
        panic("ioapic: the MADT lists no IO-APIC");
    ioapic = vmm_map_mmio(madt.ioapic_phys, 4096);
    unsigned lines = ((ioapic_read(1) >> 16) & 0xff) + 1;
    for (unsigned i = 0; i < lines; i++) {
        ioapic_write(0x10 + 2 * i, 1 << 16); /* masked */
        ioapic_write(0x11 + 2 * i, 0);
    }
}

void ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id)
{
    uint32_t gsi = madt.isa_irq_to_gsi[irq] - madt.ioapic_gsi_base;
    uint16_t flags = madt.isa_irq_flags[irq];
    uint32_t low = vector;
    if ((flags & 3) == 3)
        low |= 1 << 13; /* active low */
    if (((flags >> 2) & 3) == 3)
        low |= 1 << 15; /* level triggered */
    ioapic_write(0x11 + 2 * gsi, apic_id << 24);
    ioapic_write(0x10 + 2 * gsi, low);
}
