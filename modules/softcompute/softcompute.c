/* softcompute.c — demo.compute in software: class soft, one instance
 * soft0. The second implementation of the interface, so that two live at
 * once (MODULES.md, "Devices, resources and interfaces"). Stateless. */
#include <wisp/module.h>
#include <wisp/printk.h>
#include <wisp/interface.h>

uint64_t soft_factorial(void *context, uint64_t n)
{
    (void)context;
    uint64_t r = 1;
    if (n > 12)
        return 0; /* as the device: 32 bits */
    while (n > 1)
        r *= n--;
    return r;
}
WISP_EXPORT(soft_factorial);

uint64_t soft_invert(void *context, uint64_t x)
{
    (void)context;
    return (uint32_t)~x;
}
WISP_EXPORT(soft_invert);

uint64_t soft_version(void *context)
{
    (void)context;
    return 1;
}
WISP_EXPORT(soft_version);

uint64_t soft_interrupts(void *context)
{
    (void)context;
    return 0; /* no device, no interrupts */
}
WISP_EXPORT(soft_interrupts);

static int soft_start(void)
{
    if (iface_instance_add("soft", "soft0", NULL) < 0)
        return -1;
    pr_info("softcompute: instance soft0 of class soft\n");
    return 0;
}
WISP_MODULE_INIT(soft_start);
