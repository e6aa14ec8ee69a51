/* cycle_b.c — the other half of the import cycle (see cycle_a.c). */
#include <wisp/module.h>

int cycle_a_fn(void);

int cycle_b_fn(void) { return cycle_a_fn() + 1; }
WISP_EXPORT(cycle_b_fn);
