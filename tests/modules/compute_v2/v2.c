/* compute_v2 — defines demo.compute 2.0 while 1.0 is in the registry: refused at load (tests/kernel/test_devices.c). */
#include <wisp/module.h>
#include <wisp/interface.h>

uint64_t v2_factorial(void *context, uint64_t n)
{
    (void)context;
    return n <= 1 ? 1 : n * v2_factorial(context, n - 1);
}
WISP_EXPORT(v2_factorial);

uint64_t v2_invert(void *context, uint64_t x)
{
    (void)context;
    return (uint32_t)~x;
}
WISP_EXPORT(v2_invert);

uint64_t v2_version(void *context)
{
    (void)context;
    return 1;
}
WISP_EXPORT(v2_version);

uint64_t v2_interrupts(void *context)
{
    (void)context;
    return 0;
}
WISP_EXPORT(v2_interrupts);

static int v2_start(void) { return iface_instance_add("v2", "v20", 0) < 0 ? -1 : 0; }
WISP_MODULE_INIT(v2_start);
