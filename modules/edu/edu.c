/* edu.c — driver of QEMU's `edu` teaching device (1234:11e8), one instance
 * per device: the multi-instance driver of MODULES.md, "Devices,
 * resources and interfaces".
 *
 * For each edu function it claims the PCI function and BAR 0 (1 MiB of
 * registers), allocates an MSI vector, and registers an instance edu0,
 * edu1, ... of class `edu`, which implements interface demo.compute 1.0:
 * factorial (the device computes it and raises its completion interrupt),
 * invert (the device's liveness register), version (which version of this
 * module answers) and interrupts (completion interrupts taken).
 *
 * Live update: the devices live in one heap object (struct edu_state,
 * layout 1) that the new version adopts; its init, run beside the live
 * version, gets back the claims, vector and instances its identity has
 * and must not reprogram the device beyond what is idempotent. exit frees
 * memory only: hardware is the registry's to turn off when the module goes
 * (a new version refused after its init runs its exit while the old one
 * still drives the devices).
 */
#include <wisp/module.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include <wisp/mm.h>
#include <wisp/pci.h>
#include <wisp/resource.h>
#include <wisp/interface.h>
#include <wisp/percpu.h>
#include <string.h>
#include <locks/mutex.h>

#ifndef EDU_VERSION
#define EDU_VERSION 1
#endif

#define EDU_VENDOR     0x1234
#define EDU_DEVICE     0x11e8
#define EDU_MAX        4
#define EDU_ID         0x00
#define EDU_LIVENESS   0x04
#define EDU_FACTORIAL  0x08
#define EDU_STATUS     0x20
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_ACK    0x64
#define STATUS_BUSY    0x01
#define STATUS_IRQ     0x80 /* raise the interrupt when the factorial is done */

struct edu_device {
    uint32_t address;
    volatile uint32_t *regs;
    int vector;
    uint64_t interrupts;
    struct mutex lock; /* class edu.device: one computation at a time on the device */
    char name[8];
};

/* State layout 1. The lock class name lives here too: a lock keeps a
 * pointer to it, and a string in this version's rodata would go with this
 * version while the adopting one uses the lock. */
struct edu_state {
    uint32_t count;
    char lock_class[16];
    struct edu_device devices[EDU_MAX];
};

static struct edu_state *state;

/* The completion interrupt (MSI), called through its dispatch thunk:
 * acknowledges and counts. */
void edu_interrupt(void *context)
{
    struct edu_device *d = context;
    uint32_t status = d->regs[EDU_IRQ_STATUS / 4];
    d->regs[EDU_IRQ_ACK / 4] = status;
    __atomic_add_fetch(&d->interrupts, 1, __ATOMIC_RELAXED);
}
WISP_EXPORT(edu_interrupt);

/* n! computed by the device (n <= 12 fits its 32-bit register; 0 for
 * more). Process context: waits on the device's mutex. */
uint64_t edu_factorial(void *context, uint64_t n)
{
    struct edu_device *d = context;
    if (n > 12)
        return 0;
    mutex_lock(&d->lock);
    d->regs[EDU_STATUS / 4] = STATUS_IRQ;
    d->regs[EDU_FACTORIAL / 4] = (uint32_t)n;
    while (d->regs[EDU_STATUS / 4] & STATUS_BUSY)
        __builtin_ia32_pause();
    uint64_t result = d->regs[EDU_FACTORIAL / 4];
    mutex_unlock(&d->lock);
    return result;
}
WISP_EXPORT(edu_factorial);

/* ~x, from the device's liveness register. */
uint64_t edu_invert(void *context, uint64_t x)
{
    struct edu_device *d = context;
    mutex_lock(&d->lock);
    d->regs[EDU_LIVENESS / 4] = (uint32_t)x;
    uint64_t result = d->regs[EDU_LIVENESS / 4];
    mutex_unlock(&d->lock);
    return result;
}
WISP_EXPORT(edu_invert);

uint64_t edu_version(void *context)
{
    (void)context;
    return EDU_VERSION;
}
WISP_EXPORT(edu_version);

uint64_t edu_interrupts(void *context)
{
    return __atomic_load_n(&((struct edu_device *)context)->interrupts, __ATOMIC_RELAXED);
}
WISP_EXPORT(edu_interrupts);

void *wisp_state_get(void) { return state; }

int wisp_state_adopt(void *old, uint16_t old_state_version)
{
    if (old_state_version != 1)
        return -1;
    kfree(state); /* this version's own probe: the old state is the live one */
    state = old;
    return 0;
}

static int probe(struct edu_device *d, const struct pci_function *f, unsigned index)
{
    struct resource_refusal why;
    const struct pci_bar *bar = &f->bars[0];
    ksnprintf(d->name, sizeof(d->name), "edu%u", index);
    mutex_init(&d->lock, state->lock_class);
    d->address = f->address;
    if (resource_claim(RESOURCE_PCI, f->address, f->address, 0, d->name, &why) < 0 ||
        resource_claim(RESOURCE_MMIO, bar->base, bar->base + bar->size - 1, 0, d->name, &why) < 0) {
        pr_warn("edu: %s not driven: %s\n", d->name, why.message);
        return -1;
    }
    d->regs = vmm_map_mmio(bar->base, bar->size);
    if (!d->regs || (d->regs[EDU_ID / 4] & 0xff) != 0xed)
        return -1;
    pci_enable(f->address);
    d->vector = msi_vector_alloc("edu_interrupt", d, d->name);
    if (d->vector < 0 || pci_msi_enable(f->address, (uint8_t)d->vector, cpus[0].apic_id) != 0)
        return -1;
    if (iface_instance_add("edu", d->name, d) < 0)
        return -1;
    return 0;
}

static int edu_start(void)
{
    state = kzalloc(sizeof(*state));
    if (!state)
        return -1;
    strlcpy(state->lock_class, "edu.device", sizeof(state->lock_class));
    const struct pci_function *f;
    for (unsigned i = 0; i < EDU_MAX && (f = pci_find_device(EDU_VENDOR, EDU_DEVICE, i)); i++) {
        if (probe(&state->devices[state->count], f, i) != 0)
            return -1;
        state->count++;
    }
    pr_info("edu: version %d drives %u devices\n", EDU_VERSION, state->count);
    return 0;
}
WISP_MODULE_INIT(edu_start);

static void edu_stop(void)
{
    kfree(state);
    state = NULL;
}
WISP_MODULE_EXIT(edu_stop);
