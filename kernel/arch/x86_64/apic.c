/* apic.c — local APIC in xAPIC mode (MMIO mapped uncached by vmm_map_mmio). */
#include <wisp/apic.h>
#include <wisp/boot.h>
#include <wisp/mm.h>
#include <wisp/cpu.h>
#include <wisp/percpu.h>
#include <wisp/time.h>
#include <wisp/trap.h>
#include <wisp/printk.h>

enum {
    LAPIC_ID = 0x20,
    LAPIC_EOI = 0xb0,
    LAPIC_SVR = 0xf0,
    LAPIC_ICR_LO = 0x300,
    LAPIC_ICR_HI = 0x310,
    LAPIC_LVT_TIMER = 0x320,
    LAPIC_TIMER_INIT = 0x380,
    LAPIC_TIMER_CURRENT = 0x390,
    LAPIC_TIMER_DIV = 0x3e0,
    LAPIC_TPR = 0x80,
    ICR_PENDING = 1 << 12,
    TIMER_PERIODIC = 1 << 17,
    LVT_MASKED = 1 << 16,
};

static volatile uint32_t *lapic;
static uint64_t lapic_timer_hz; /* timer ticks per second at divide-by-16 */

static inline uint32_t lapic_read(unsigned reg) { return lapic[reg / 4]; }
static inline void lapic_write(unsigned reg, uint32_t v) { lapic[reg / 4] = v; }

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | (1 << 11)); /* global enable */
    lapic = vmm_map_mmio(base & ~0xffful, PAGE_SIZE);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

uint32_t lapic_id(void) { return lapic ? lapic_read(LAPIC_ID) >> 24 : 0; }

void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

static void icr_send(uint32_t apic_id, uint32_t low)
{
    uint64_t flags = irq_save();
    lapic_write(LAPIC_ICR_HI, apic_id << 24);
    lapic_write(LAPIC_ICR_LO, low);
    while (lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
        cpu_relax();
    irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector) { icr_send(apic_id, vector); }

void lapic_send_init(uint32_t apic_id) { icr_send(apic_id, 0x4500); /* INIT, level assert */ }

void lapic_send_startup(uint32_t apic_id, uint8_t page)
{
    icr_send(apic_id, 0x4600 | page); /* STARTUP */
}

void lapic_send_halt_to_others(void)
{
    if (!lapic)
        return;
    lapic_write(LAPIC_ICR_HI, 0);
    lapic_write(LAPIC_ICR_LO, 0xc0000 | 0x400); /* all but self, NMI */
}

void lapic_timer_calibrate(void)
{
    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
    uint64_t t0 = clock_ns();
    pit_delay_us(20000);
    uint32_t elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CURRENT);
    uint64_t ns = clock_ns() - t0;
    lapic_write(LAPIC_TIMER_INIT, 0);
    lapic_timer_hz = (uint64_t)elapsed * NSEC_PER_SEC / ns;
    pr_info("apic: timer %lu kHz (divide by 16)\n", lapic_timer_hz / 1000);
}

void lapic_timer_start(unsigned hz)
{
    lapic_write(LAPIC_TIMER_DIV, 0x3);
    lapic_write(LAPIC_LVT_TIMER, TIMER_PERIODIC | VEC_TIMER);
    lapic_write(LAPIC_TIMER_INIT, (uint32_t)(lapic_timer_hz / hz));
}
