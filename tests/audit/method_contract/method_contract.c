/* method_contract.c — implements demo.compute with an export that is not reentrant where the method is. */
#include <wisp/module.h>

unsigned long weak_factorial(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(weak_factorial);

unsigned long weak_invert(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(weak_invert);

unsigned long weak_version(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(weak_version);

unsigned long weak_interrupts(void *context, unsigned long a)
{
    (void)context;
    return a;
}
WISP_EXPORT(weak_interrupts);
