/* claimer — a test module that claims what it is asked to (from a call
 * into it, so the registry knows it is the caller), for the in-kernel
 * tests of the resource registry (tests/kernel/test_devices.c): conflicts,
 * claims outside its manifest, release on unload. Its init claims ports
 * 0x510-0x517 (declared). CLAIMER_FAIL_INIT: the init claims 0x520-0x527
 * and then fails, so the load must release them. */
#include <wisp/module.h>
#include <wisp/resource.h>

/* resource_claim(kind, first, last) for instance "test": the claim id, or
 * -1 with the registry's reason copied to why (RESOURCE_REASON_SIZE). */
long claimer_claim(uint64_t kind, uint64_t first, uint64_t last, char *why)
{
    struct resource_refusal refusal = { { 0 } };
    long id = resource_claim((enum resource_kind)kind, first, last, 0, "test", &refusal);
    for (unsigned i = 0; i < RESOURCE_REASON_SIZE; i++)
        why[i] = refusal.message[i];
    return id;
}
WISP_EXPORT(claimer_claim);

int claimer_release(long id) { return resource_release(id); }
WISP_EXPORT(claimer_release);

static int claimer_start(void)
{
#ifdef CLAIMER_FAIL_INIT
    if (resource_claim(RESOURCE_PORTS, 0x520, 0x527, 0, "init", NULL) < 0)
        return -2;
    return -1; /* after a claim: the failed load must release it */
#else
    return resource_claim(RESOURCE_PORTS, 0x510, 0x517, 0, "init", NULL) < 0 ? -1 : 0;
#endif
}
WISP_MODULE_INIT(claimer_start);
