/* import_contract.c — calls clock's timer_start from interrupt context
 * (as its manifest says): clock promises only process context. */
#include <wisp/module.h>

int timer_start(unsigned long period_ms, void (*fn)(void *arg), void *arg);

static void beat(void *arg) { (void)arg; }

void on_irq(void) { timer_start(10, beat, 0); }
WISP_EXPORT(on_irq);
