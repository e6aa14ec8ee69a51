/* claimer — a test module that claims what it is asked to (from a call
 * into it, so the registry knows it is the caller), for the in-kernel
 * tests of the resource registry (tests/kernel/test_devices.c): conflicts,
 * claims outside its manifest, release on unload, DMA memory and MSI
 * vectors. Its init claims ports
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

/* DMA memory for the caller's tests: the kernel address (phys in *phys). */
void *claimer_dma(uint64_t bytes, uint64_t *phys) { return dma_alloc(bytes, phys, "dma"); }
WISP_EXPORT(claimer_dma);

int claimer_dma_free(void *memory) { return dma_free(memory); }
WISP_EXPORT(claimer_dma_free);

static uint64_t interrupts;

/* An interrupt handler (its contract allows it). */
void claimer_interrupt(void *context)
{
    (void)context;
    __atomic_add_fetch(&interrupts, 1, __ATOMIC_RELAXED);
}
WISP_EXPORT(claimer_interrupt);

/* msi_vector_alloc with the export handler as handler: the vector or -1. */
int claimer_vector(const char *handler) { return msi_vector_alloc(handler, 0, "irq"); }
WISP_EXPORT(claimer_vector);

int claimer_vector_free(int vector) { return msi_vector_free(vector); }
WISP_EXPORT(claimer_vector_free);

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
