/* gate.c — the gate functions of devices and interfaces for programs:
 * device_list, resource_list, interface_list (listing records, as
 * kernel/proc/sysinfo.c's) and iface_open / iface_call / iface_close
 * through handles.
 *
 * A handle is (generation << 8 | slot) of the handle table. The gate
 * checks each one: the slot in range and in use, the generation its own
 * (a closed handle whose slot was reused is stale), the process the
 * caller's, the interface the one the caller names, the method index in
 * range and the method user-callable. A handle holds a reference on its
 * instance (the module cannot unload), and a running call holds one more,
 * so a close from another thread never frees what a call uses. Handles
 * are closed when their process ends (iface_process_exit).
 *
 * handle_lock protects the table; it is taken before iface_lock
 * (iface_open/iface_close inside it), never after.
 */
#include <wisp/interface.h>
#include <wisp/pci.h>
#include <wisp/process.h>
#include <wisp/printk.h>
#include <wisp/syscall.h>
#include <locks/mutex.h>
#include <locks/lockdep.h>
#include "kernel/dev/dev_internal.h"
#include "kernel/dev/interface_internal.h"
#include <string.h>

#define HANDLES_MAX 64
#define NAME_MAX    48

struct handle {
    struct process *owner; /* NULL: free */
    uint32_t generation;
    struct iface_instance *instance;
};

static struct mutex handle_lock = MUTEX_INIT(handle_lock, "interface_handles");
static struct handle handles[HANDLES_MAX]; /* handle_lock */

/* ---- listings ---- */

static void device_record(const struct pci_function *f, struct sys_device_record *r)
{
    memset(r, 0, sizeof(*r));
    r->address = f->address;
    r->vendor = f->vendor;
    r->device = f->device;
    r->class_code = f->class_code;
    r->subclass = f->subclass;
    r->prog_if = f->prog_if;
    r->irq_pin = f->irq_pin;
    r->msi = f->msi_cap != 0;
    r->msix = f->msix_cap != 0;
    r->msix_entries = f->msix_table_size;
    for (unsigned b = 0; b < PCI_BAR_COUNT && b < SYS_DEVICE_BARS; b++) {
        r->bars[b].base = f->bars[b].base;
        r->bars[b].size = f->bars[b].size;
        r->bars[b].kind = f->bars[b].kind;
        r->bars[b].prefetchable = f->bars[b].prefetchable;
    }
    resource_owner(RESOURCE_PCI, f->address, r->module, sizeof(r->module), r->instance,
                   sizeof(r->instance));
}

/* The vectors whose claims name the same module and instance as the
 * function's claim. */
static void device_vectors(struct sys_device_record *r)
{
    if (!r->module[0])
        return;
    for (unsigned v = 0x50; v < 0xe0 && r->vector_count < SYS_DEVICE_VECTORS; v++) {
        char module[32], instance[24];
        if (resource_owner(RESOURCE_VECTOR, v, module, sizeof(module), instance,
                           sizeof(instance)) &&
            strcmp(module, r->module) == 0 && strcmp(instance, r->instance) == 0)
            r->vectors[r->vector_count++] = (uint8_t)v;
    }
}

size_t dev_device_snapshot(struct sys_device_record *out, size_t start, size_t max)
{
    size_t n = 0;
    for (size_t i = start; i < pci_function_count() && n < max; i++) {
        device_record(pci_function_at((unsigned)i), &out[n]);
        device_vectors(&out[n]);
        n++;
    }
    return n;
}

long sys_device_list(long records, long start, long max)
{
    long error;
    struct sys_device_record *buffer = sysinfo_list_buffer(records, max, sizeof(*buffer), &error);
    if (!buffer)
        return error;
    size_t n = start < 0 ? 0 : dev_device_snapshot(buffer, (size_t)start, (size_t)max);
    return sysinfo_copy_records(records, buffer, n, sizeof(*buffer));
}

long sys_resource_list(long records, long start, long max)
{
    long error;
    struct sys_resource_record *buffer = sysinfo_list_buffer(records, max, sizeof(*buffer), &error);
    if (!buffer)
        return error;
    size_t n = start < 0 ? 0 : resource_snapshot(buffer, (size_t)start, (size_t)max);
    return sysinfo_copy_records(records, buffer, n, sizeof(*buffer));
}

long sys_interface_list(long records, long start, long max)
{
    long error;
    struct sys_interface_record *buffer =
        sysinfo_list_buffer(records, max, sizeof(*buffer), &error);
    if (!buffer)
        return error;
    size_t n = start < 0 ? 0 : iface_snapshot(buffer, (size_t)start, (size_t)max);
    return sysinfo_copy_records(records, buffer, n, sizeof(*buffer));
}

/* ---- handles ---- */

static long copy_name(char *out, long user)
{
    long n = strncpy_from_user(out, (const char *)user, NAME_MAX);
    if (n < 0)
        return n;
    return n == 0 || n == NAME_MAX ? -SYS_EINVAL : 0; /* empty, or no NUL within NAME_MAX */
}

/* iface_open(iid, name): the instance named name (or the first of class
 * name) of interface iid, held: a handle. */
long sys_iface_open(long iid_user, long name_user)
{
    char iid[NAME_MAX], name[NAME_MAX], why[96];
    long rc = copy_name(iid, iid_user);
    if (rc == 0)
        rc = copy_name(name, name_user);
    if (rc)
        return rc;
    struct iface_instance *x = iface_open(iid, name, why, sizeof(why));
    if (!x)
        return -SYS_ENOENT;
    mutex_lock(&handle_lock);
    for (unsigned i = 0; i < HANDLES_MAX; i++) {
        struct handle *h = &handles[i];
        if (h->owner)
            continue;
        h->owner = current_process();
        h->generation = (h->generation + 1) & 0xffffff;
        if (!h->generation)
            h->generation = 1;
        h->instance = x;
        long handle = (long)h->generation << 8 | i;
        mutex_unlock(&handle_lock);
        return handle;
    }
    mutex_unlock(&handle_lock);
    iface_close(x);
    return -SYS_ENOMEM;
}

/* The caller's handle's slot (handle_lock held), or NULL. */
static struct handle *own_handle_locked(long handle)
{
    lockdep_assert_held(&handle_lock.dep);
    if (handle < 0 || handle > 0xffffffffl)
        return NULL;
    uint32_t slot = (uint32_t)handle & 0xff, generation = (uint32_t)handle >> 8;
    if (slot >= HANDLES_MAX)
        return NULL;
    struct handle *h = &handles[slot];
    if (!h->owner || h->generation != generation || h->owner != current_process())
        return NULL;
    return h;
}

/* iface_call(handle, iid, method, a0, a1): the handle must be the
 * caller's and of interface iid, the method in range and user-callable. */
long sys_iface_call(long handle, long iid_user, long method, long a0, long a1)
{
    char iid[NAME_MAX];
    long rc = copy_name(iid, iid_user);
    if (rc)
        return rc;
    mutex_lock(&handle_lock);
    struct handle *h = own_handle_locked(handle);
    struct iface_instance *x = h ? h->instance : NULL;
    if (!x) {
        mutex_unlock(&handle_lock);
        return -SYS_EBADF;
    }
    mutex_lock(&iface_lock);
    const struct iface *iface = x->cls->iface;
    if (strcmp(iface->iid, iid) != 0)
        rc = -SYS_EINVAL; /* a handle of another interface */
    else if (method < 0 || (uint64_t)method >= iface->method_count)
        rc = -SYS_EINVAL;
    else if (!iface->methods[method].contract.user_callable)
        rc = -SYS_ENOTSUP;
    else
        x->holders++; /* this call's reference */
    mutex_unlock(&iface_lock);
    mutex_unlock(&handle_lock);
    if (rc)
        return rc;
    uint64_t result = iface_call(x, (unsigned)method, (uint64_t)a0, (uint64_t)a1, 0, 0);
    iface_close(x);
    return (long)result;
}

long sys_iface_close(long handle)
{
    mutex_lock(&handle_lock);
    struct handle *h = own_handle_locked(handle);
    struct iface_instance *x = h ? h->instance : NULL;
    if (h) {
        h->owner = NULL;
        h->instance = NULL;
    }
    mutex_unlock(&handle_lock);
    if (!x)
        return -SYS_EBADF;
    iface_close(x);
    return 0;
}

void iface_process_exit(struct process *p)
{
    mutex_lock(&handle_lock);
    for (unsigned i = 0; i < HANDLES_MAX; i++) {
        if (handles[i].owner != p)
            continue;
        struct iface_instance *x = handles[i].instance;
        handles[i].owner = NULL;
        handles[i].instance = NULL;
        iface_close(x);
    }
    mutex_unlock(&handle_lock);
}
