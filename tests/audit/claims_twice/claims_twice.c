/* claims_twice.c — a second COM1 driver: its manifest declares COM1's
 * ports, which the console module declares too. */
#include <wisp/module.h>

int claims_twice_ready(void) { return 1; }
WISP_EXPORT(claims_twice_ready);
