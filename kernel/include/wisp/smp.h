/* smp.h — starting the application processors and cross-CPU calls. */
#pragma once
#include <wisp/compiler.h>

/* Starts every CPU the MADT lists; returns when all are online (BSP, boot). */
void smp_boot_aps(void);
unsigned smp_online_count(void);
/* Asks cpu to reschedule (IPI). */
void smp_send_resched(unsigned cpu);
/* Runs fn(arg) on every other online CPU (in interrupt context there) and
 * returns when all have run it. Any context; interrupts may be off. */
void smp_call_others(void (*fn)(void *arg), void *arg);
