/* compute_extra — a third implementation of demo.compute (class extra, instance extra0), loaded and unloaded by the in-kernel tests: watchers see extra0 appear and go (tests/kernel/test_devices.c). */
#include <wisp/module.h>
#include <wisp/interface.h>

uint64_t extra_factorial(void *context, uint64_t n)
{
    (void)context;
    return n <= 1 ? 1 : n * extra_factorial(context, n - 1);
}
WISP_EXPORT(extra_factorial);

uint64_t extra_invert(void *context, uint64_t x)
{
    (void)context;
    return (uint32_t)~x;
}
WISP_EXPORT(extra_invert);

uint64_t extra_version(void *context)
{
    (void)context;
    return 1;
}
WISP_EXPORT(extra_version);

uint64_t extra_interrupts(void *context)
{
    (void)context;
    return 0;
}
WISP_EXPORT(extra_interrupts);

static int extra_start(void) { return iface_instance_add("extra", "extra0", 0) < 0 ? -1 : 0; }
WISP_MODULE_INIT(extra_start);
