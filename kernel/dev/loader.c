/* loader.c — the device registry's side of a module's life: the hooks the
 * loader calls (modload/module.c, one call each) and who is calling.
 *
 *   dev_module_begin(m)     before m's init: its interfaces are bound
 *                           (interface_load.c) and its init's claims and
 *                           instances are attributed to it
 *   dev_module_end(m, ok)   after m's init; a failed load drops what it
 *                           took; a first version commits at once
 *   dev_module_switch(m)    a live update made m current: its staged
 *                           claims and instances become the identity's
 *   dev_module_unloading(m) the unload's last check: an instance held →
 *                           refused; else no new open or instance from now on
 *   dev_module_freed(m)     a version is freed, after its exit: the last
 *                           version of an unloaded module takes every
 *                           claim, class and instance of the identity
 *                           with it; another (an older version retired
 *                           by an update, a refused new one) only what it
 *                           staged
 *
 * All run under the module lock, in process context. `loading` is the
 * module whose init runs and the thread running it (module lock: only one
 * load at a time).
 */
#include <wisp/sched.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include "kernel/dev/dev.h"
#include "kernel/dev/dev_internal.h"
#include "modload/dispatch.h"
#include "modload/module.h"
#include "modload/format/error.h"
#include <string.h>

static struct module *loading;        /* module lock */
static struct thread *loading_thread; /* module lock */

static void owner_of(struct module *m, struct dev_owner *o)
{
    o->identity = m->identity;
    o->version = m;
    o->manifest = m->manifest;
    o->name = m->name;
    /* A version beside a live one: the identity already has a current
     * version that is not m. */
    o->staging = !m->owns_identity;
}

bool dev_current_owner(struct dev_owner *o)
{
    memset(o, 0, sizeof(*o));
    struct thread *self = current_thread();
    struct module *m = __atomic_load_n(&loading, __ATOMIC_ACQUIRE);
    if (m && __atomic_load_n(&loading_thread, __ATOMIC_ACQUIRE) == self) {
        owner_of(m, o);
        return true;
    }
    uint32_t pins = __atomic_load_n(&self->module_pin_count, __ATOMIC_ACQUIRE);
    if (!pins)
        return false;
    const struct thread_module_pin *pin = &self->module_pins[pins - 1];
    struct mod_identity *id =
        __atomic_load_n((struct mod_identity **)&pin->identity, __ATOMIC_ACQUIRE);
    if (!id)
        return false;
    struct module *version = id->versions[pin->version_index];
    if (!version)
        return false;
    owner_of(version, o);
    o->staging = false; /* a call runs in a version that went live */
    return true;
}

enum mod_status dev_module_begin(struct module *m, struct mod_error *err)
{
    if (iface_module_begin(m, err) != 0)
        return err ? err->code : MOD_E_INIT;
    __atomic_store_n(&loading_thread, current_thread(), __ATOMIC_RELEASE);
    __atomic_store_n(&loading, m, __ATOMIC_RELEASE);
    return MOD_OK;
}

void dev_module_end(struct module *m, bool ok)
{
    __atomic_store_n(&loading, NULL, __ATOMIC_RELEASE);
    __atomic_store_n(&loading_thread, NULL, __ATOMIC_RELEASE);
    if (!ok) {
        if (m->owns_identity) { /* a first load: everything of the identity */
            iface_module_unloaded(m->identity);
            resource_drop_identity(m->identity);
        } else {
            iface_module_drop_version(m);
            resource_drop_version(m);
        }
        return;
    }
    if (m->owns_identity) {
        iface_module_commit(m);
        resource_commit_version(m);
    }
}

void dev_module_switch(struct module *m)
{
    iface_module_commit(m);
    resource_commit_version(m);
}

void dev_module_freed(struct module *m)
{
    if (m->owns_identity) { /* unloaded: nothing of the identity stays */
        iface_module_unloaded(m->identity);
        resource_drop_identity(m->identity);
    } else {
        iface_module_drop_version(m);
        resource_drop_version(m);
    }
}

enum mod_status dev_module_unloading(const struct module *m, struct mod_error *err)
{
    char why[160];
    if (iface_module_closing(m->identity, why, sizeof(why)))
        return mod_fail(err, MOD_E_BUSY, "module %s: %s", m->name, why);
    return MOD_OK;
}
