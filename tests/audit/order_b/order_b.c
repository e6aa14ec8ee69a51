/* order_b.c — half of a lock order cycle across two modules (order_a
 * declares the opposite order). */
#include <wisp/module.h>

int order_b_value(void) { return 1; }
WISP_EXPORT(order_b_value);
