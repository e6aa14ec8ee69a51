/* com1_again — a second driver for COM1: its init claims COM1's ports,
 * which the console module has, so the registry refuses and the load
 * fails (tests/kernel/test_devices.c). */
#include <wisp/module.h>
#include <wisp/resource.h>

static int com1_start(void)
{
    return resource_claim(RESOURCE_PORTS, 0x3f8, 0x3ff, 0, "com1", NULL) < 0 ? -1 : 0;
}
WISP_MODULE_INIT(com1_start);
