/* apic.h — local APIC (per CPU: timer, IPIs, EOI) and IO-APIC (device IRQs). */
#pragma once
#include <wisp/compiler.h>

void lapic_init(void); /* on each CPU, interrupts off */
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint8_t page);
/* Stops every other CPU (panic path; safe before SMP is up). */
void lapic_send_halt_to_others(void);
/* Measures the LAPIC timer rate against the TSC (BSP, once). */
void lapic_timer_calibrate(void);
/* Starts the periodic timer at hz on the calling CPU. */
void lapic_timer_start(unsigned hz);

/* ACPI: finds the CPUs and IO-APICs in the MADT. */
struct acpi_madt_info {
    uint32_t cpu_apic_ids[16];
    unsigned cpu_count;
    uint64_t ioapic_phys;
    uint32_t ioapic_gsi_base;
    uint32_t isa_irq_to_gsi[16]; /* interrupt source overrides applied */
    uint16_t isa_irq_flags[16];
};
extern struct acpi_madt_info madt;
void acpi_init(void);
/* The ACPI table with this 4-byte signature (checksum verified), its
 * header first, and its length in *length; NULL if there is none. */
const void *acpi_find_table(const char *signature, uint32_t *length);

void ioapic_init(void);
/* Routes ISA IRQ irq to vector on the CPU with the given APIC id. */
void ioapic_route_isa(unsigned irq, uint8_t vector, uint32_t apic_id);
