/* clock.c — the TSC as monotonic clock, calibrated against PIT channel 2.
 *
 * The TSC counts at a constant rate on every CPU QEMU and modern hardware
 * give us (invariant TSC); all CPUs read the same counter, so clock_ns() is
 * comparable across CPUs. Calibration measures TSC ticks over several PIT
 * one-shot intervals and keeps the median. */
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>

#define PIT_HZ 1193182u

uint64_t boot_tsc;
static uint64_t tsc_hz;
/* ns = (cycles * mult) >> 32: one multiply on the read path. */
static uint64_t ns_mult;

/* Runs PIT channel 2 in one-shot mode for `ticks` and waits for OUT2. */
static void pit_oneshot_wait(uint16_t ticks)
{
    uint8_t gate = inb(0x61);
    outb(0x61, (gate & ~0x02) | 0x01); /* gate on, speaker off */
    outb(0x43, 0xb0);                  /* channel 2, lo/hi, mode 0 */
    outb(0x42, ticks & 0xff);
    outb(0x42, ticks >> 8);
    /* restart the count by toggling the gate */
    gate = inb(0x61);
    outb(0x61, gate & ~0x01);
    outb(0x61, gate | 0x01);
    while (!(inb(0x61) & 0x20))
        cpu_relax();
}

void pit_delay_us(uint32_t us)
{
    while (us) {
        uint32_t chunk = us > 50000 ? 50000 : us;
        pit_oneshot_wait((uint16_t)((uint64_t)chunk * PIT_HZ / 1000000));
        us -= chunk;
    }
}

void clock_init(void)
{
    enum { ROUNDS = 5, INTERVAL_US = 10000 };
    uint64_t samples[ROUNDS];
    uint16_t ticks = (uint16_t)((uint64_t)INTERVAL_US * PIT_HZ / 1000000);
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t t0 = rdtsc_ordered();
        pit_oneshot_wait(ticks);
        uint64_t t1 = rdtsc_ordered();
        samples[i] = (t1 - t0) * PIT_HZ / ticks;
    }
    for (int i = 1; i < ROUNDS; i++) /* insertion sort, 5 items */
        for (int j = i; j > 0 && samples[j] < samples[j - 1]; j--) {
            uint64_t t = samples[j];
            samples[j] = samples[j - 1];
            samples[j - 1] = t;
        }
    tsc_hz = samples[ROUNDS / 2];
    ns_mult = (NSEC_PER_SEC << 32) / tsc_hz;
    pr_info("clock: TSC %lu.%03lu MHz (calibrated against the PIT)\n", tsc_hz / 1000000,
            tsc_hz / 1000 % 1000);
}

uint64_t clock_tsc_hz(void) { return tsc_hz; }

uint64_t tsc_to_ns(uint64_t cycles)
{
    return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t clock_ns(void)
{
    if (!ns_mult)
        return 0;
    return tsc_to_ns(rdtsc() - boot_tsc);
}

void clock_delay_us(uint64_t us)
{
    uint64_t end = clock_ns() + us * NSEC_PER_USEC;
    while (clock_ns() < end)
        cpu_relax();
}
