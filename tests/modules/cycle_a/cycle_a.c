/* cycle_a.c — imports from cycle_b, which imports from cycle_a: loading
 * either must fail with "import cycle" and leave neither behind. */
#include <wisp/module.h>

int cycle_b_fn(void);

int cycle_a_fn(void) { return cycle_b_fn() + 1; }
WISP_EXPORT(cycle_a_fn);
