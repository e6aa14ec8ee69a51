/* compute_v2i — implements demo.compute 2.0 while the registry has 1.0: refused at load (tests/kernel/test_devices.c). */
#include <wisp/module.h>
#include <wisp/interface.h>

uint64_t v2i_factorial(void *context, uint64_t n)
{
    (void)context;
    return n <= 1 ? 1 : n * v2i_factorial(context, n - 1);
}
WISP_EXPORT(v2i_factorial);

uint64_t v2i_invert(void *context, uint64_t x)
{
    (void)context;
    return (uint32_t)~x;
}
WISP_EXPORT(v2i_invert);

uint64_t v2i_version(void *context)
{
    (void)context;
    return 1;
}
WISP_EXPORT(v2i_version);

uint64_t v2i_interrupts(void *context)
{
    (void)context;
    return 0;
}
WISP_EXPORT(v2i_interrupts);

static int v2i_start(void) { return iface_instance_add("v2i", "v2i0", 0) < 0 ? -1 : 0; }
WISP_MODULE_INIT(v2i_start);
