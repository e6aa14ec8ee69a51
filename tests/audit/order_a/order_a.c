/* order_a.c — half of a lock order cycle across two modules (order_b
 * declares the opposite order). */
#include <wisp/module.h>

int order_a_value(void) { return 1; }
WISP_EXPORT(order_a_value);
