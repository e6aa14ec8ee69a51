/* devices — the PCI functions found at boot (device_list): address,
 * vendor:device, class, the claiming module and instance, MSI/MSI-X and
 * the interrupt vectors its owner holds, then each BAR; then every claim
 * of the resource registry (resource_list): kind, range, owner. */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

static const char *const class_names[] = {
    "unclassified", "storage", "network", "display", "multimedia", "memory",     "bridge",
    "comms",        "system",  "input",   "docking", "processor",  "serial-bus",
};
static const char *const bar_kinds[] = { "none", "io", "mem32", "mem64" };

static void put_address(uint32_t a)
{
    u_put_hex(a >> 8, 2);
    u_put(":");
    u_put_hex((a >> 3) & 31, 2);
    u_put(".");
    u_put_hex(a & 7, 1);
}

static void put_device(const struct sys_device_record *r)
{
    put_address(r->address);
    u_put("  ");
    u_put_hex(r->vendor, 4);
    u_put(":");
    u_put_hex(r->device, 4);
    u_put("  ");
    u_put_hex(r->class_code, 2);
    u_put(".");
    u_put_hex(r->subclass, 2);
    u_put(" ");
    u_put_column(r->class_code < 13 ? class_names[r->class_code] : "other", 12);
    if (r->module[0]) {
        u_put(r->module);
        if (r->instance[0]) {
            u_put("/");
            u_put(r->instance);
        }
    } else {
        u_put("-");
    }
    if (r->msi)
        u_put("  msi");
    if (r->msix) {
        u_put("  msi-x(");
        u_put_number(r->msix_entries);
        u_put(")");
    }
    for (uint32_t v = 0; v < r->vector_count && v < SYS_DEVICE_VECTORS; v++) {
        u_put(v ? "," : "  vectors ");
        u_put_number(r->vectors[v]);
    }
    u_put("\n");
    for (unsigned b = 0; b < SYS_DEVICE_BARS; b++) {
        const struct sys_device_bar *bar = &r->bars[b];
        if (!bar->size)
            continue;
        u_put("           bar");
        u_put_number(b);
        u_put(" ");
        u_put_column(bar->kind < 4 ? bar_kinds[bar->kind] : "?", 5);
        u_put("0x");
        u_put_hex(bar->base, 8);
        u_put(" size 0x");
        u_put_hex(bar->size, 1);
        u_put(bar->prefetchable ? " prefetchable\n" : "\n");
    }
}

static void put_resource(const struct sys_resource_record *r)
{
    u_put_column(r->kind_name, 8);
    if (r->kind == 0) { /* pci: an address */
        put_address((uint32_t)r->first);
    } else if (r->kind == 3 || r->kind == 4) { /* irq, vector: a number */
        u_put_number(r->first);
    } else {
        u_put("0x");
        u_put_hex(r->first, 1);
        if (r->last != r->first) {
            u_put("-0x");
            u_put_hex(r->last, 1);
        }
    }
    u_put("  ");
    u_put(r->module);
    u_put(" ");
    u_put(r->instance[0] ? r->instance : "-");
    if (r->shared)
        u_put("  shared");
    if (r->staged)
        u_put("  staged");
    u_put("\n");
}

int main(void)
{
    struct sys_device_record devices[4];
    struct sys_resource_record resources[8];
    u_put("ADDRESS  VENDOR:DEV  CLASS           OWNER\n");
    size_t total = 0;
    for (size_t start = 0;; start += 4) {
        long n = device_list(devices, start, 4);
        if (n < 0) {
            u_put("devices: device_list failed\n");
            return 1;
        }
        for (long i = 0; i < n; i++)
            put_device(&devices[i]);
        total += (size_t)n;
        if (n < 4)
            break;
    }
    u_put("devices: ");
    u_put_number(total);
    u_put(" PCI functions\n\nRESOURCE RANGE  MODULE INSTANCE\n");
    for (size_t start = 0;; start += 8) {
        long n = resource_list(resources, start, 8);
        if (n < 0) {
            u_put("devices: resource_list failed\n");
            return 1;
        }
        for (long i = 0; i < n; i++)
            put_resource(&resources[i]);
        if (n < 8)
            return 0;
    }
}
