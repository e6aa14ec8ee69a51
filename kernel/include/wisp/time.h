/* time.h — the monotonic clock (TSC, calibrated against the PIT at boot). */
#pragma once
#include <wisp/compiler.h>

#define NSEC_PER_SEC  1000000000ul
#define NSEC_PER_MSEC 1000000ul
#define NSEC_PER_USEC 1000ul

void clock_init(void); /* calibrates the TSC; BSP, interrupts off */
/* Nanoseconds since boot; 0 before clock_init. Any context. */
uint64_t clock_ns(void);
/* The clock_ns() value timeout_ns from now, saturated at UINT64_MAX (a
 * deadline that never passes) instead of wrapping into the past: a timeout
 * near 2^64 is a natural "forever". Any context. */
static inline uint64_t clock_deadline_ns(uint64_t timeout_ns)
{
    uint64_t now = clock_ns(), deadline;
    return __builtin_add_overflow(now, timeout_ns, &deadline) ? UINT64_MAX : deadline;
}
uint64_t clock_tsc_hz(void);
uint64_t tsc_to_ns(uint64_t cycles);
/* Busy-waits (no sleeping): for early boot and drivers that need a delay. */
void clock_delay_us(uint64_t us);
/* TSC value at kernel entry, for boot-time figures. */
extern uint64_t boot_tsc;
/* Busy-wait on the PIT only (before the TSC is calibrated). */
void pit_delay_us(uint32_t us);
