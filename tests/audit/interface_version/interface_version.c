/* interface_version.c — implements demo.compute 2.0; edu defines 1.0. */
#include <wisp/module.h>

unsigned long v2_factorial(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(v2_factorial);

unsigned long v2_invert(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(v2_invert);

unsigned long v2_version(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(v2_version);

unsigned long v2_interrupts(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(v2_interrupts);
