/* interface.c — the registry of interfaces, classes and instances
 * (wisp/interface.h), method calls, watchers, and the loader's hooks.
 *
 * iface_lock protects the four lists and every field of their entries
 * (holders included). It is never held across a method call or a watcher:
 * a call holds a reference (holders) instead, which keeps the instance,
 * its class and its module (no unload while held: iface_module_closing).
 * watch_lock serializes the watchers: it is taken after iface_lock is
 * dropped (order: watch_lock, then iface_lock, never the reverse).
 */
#include <wisp/interface.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include <wisp/syscall.h>
#include "kernel/dev/dev_internal.h"
#include "kernel/dev/interface_internal.h"
#include <locks/lockdep.h>
#include "modload/dispatch.h"
#include "modload/module.h"
#include <string.h>

struct mutex iface_lock = MUTEX_INIT(iface_lock, "interfaces");
struct list_node iface_list = LIST_INIT(iface_list);
struct list_node iface_definitions = LIST_INIT(iface_definitions);
struct list_node iface_classes = LIST_INIT(iface_classes);
struct list_node iface_instances = LIST_INIT(iface_instances);
static long next_instance_id = 1; /* iface_lock */

#define WATCHERS_MAX 16
struct watcher {
    char iid[MOD_MANIFEST_IID_MAX + 1];
    iface_watch_fn fn;
    void *arg;
};
static struct mutex watch_lock = MUTEX_INIT(watch_lock, "interface_watchers");
static struct watcher watchers[WATCHERS_MAX]; /* watch_lock; fn NULL: free */

/* ---- lookups (iface_lock held) ---- */

struct iface *iface_find_locked(const char *iid)
{
    lockdep_assert_held(&iface_lock.dep);
    list_for_each(pos, &iface_list)
    {
        struct iface *i = list_entry(pos, struct iface, node);
        if (strcmp(i->iid, iid) == 0)
            return i;
    }
    return NULL;
}

struct iface_class *iface_find_class_locked(const char *clsid)
{
    lockdep_assert_held(&iface_lock.dep);
    list_for_each(pos, &iface_classes)
    {
        struct iface_class *c = list_entry(pos, struct iface_class, node);
        if (strcmp(c->clsid, clsid) == 0)
            return c;
    }
    return NULL;
}

static struct iface_instance *find_instance_locked(const char *name)
{
    lockdep_assert_held(&iface_lock.dep);
    list_for_each(pos, &iface_instances)
    {
        struct iface_instance *x = list_entry(pos, struct iface_instance, node);
        if (strcmp(x->name, name) == 0)
            return x;
    }
    return NULL;
}

void iface_forget_if_unused_locked(struct iface *iface)
{
    lockdep_assert_held(&iface_lock.dep);
    if (iface->definers || iface->classes)
        return;
    list_remove(&iface->node);
    kfree(iface);
}

/* ---- watchers ---- */

static void notify(const char *iid, enum iface_event event, const char *clsid, const char *name)
{
    mutex_lock(&watch_lock);
    for (unsigned i = 0; i < WATCHERS_MAX; i++)
        if (watchers[i].fn && strcmp(watchers[i].iid, iid) == 0)
            watchers[i].fn(watchers[i].arg, event, clsid, name);
    mutex_unlock(&watch_lock);
}

long iface_watch(const char *iid, iface_watch_fn fn, void *arg)
{
    if (!fn || strlen(iid) > MOD_MANIFEST_IID_MAX)
        return -1;
    mutex_lock(&watch_lock);
    for (unsigned i = 0; i < WATCHERS_MAX; i++) {
        if (!watchers[i].fn) {
            strlcpy(watchers[i].iid, iid, sizeof(watchers[i].iid));
            watchers[i].arg = arg;
            watchers[i].fn = fn;
            mutex_unlock(&watch_lock);
            return (long)i + 1;
        }
    }
    mutex_unlock(&watch_lock);
    return -1;
}

void iface_unwatch(long watch)
{
    if (watch < 1 || watch > WATCHERS_MAX)
        return;
    mutex_lock(&watch_lock);
    watchers[watch - 1].fn = NULL;
    mutex_unlock(&watch_lock);
}

/* ---- instances ---- */

static bool good_name(const char *name)
{
    size_t n = strnlen(name, 24);
    if (n == 0 || n > 23)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

long iface_instance_add(const char *clsid, const char *name, void *context)
{
    struct dev_owner o;
    if (!dev_current_owner(&o)) {
        pr_warn("interface: iface_instance_add(%s) outside a module\n", name);
        return -1;
    }
    if (!good_name(name)) {
        pr_warn("interface: module %s: bad instance name\n", o.name);
        return -1;
    }
    char iid[MOD_MANIFEST_IID_MAX + 1], cls[MOD_MANIFEST_CLSID_MAX + 1];
    bool announce = false;
    mutex_lock(&iface_lock);
    struct iface_class *c = iface_find_class_locked(clsid);
    struct iface_instance *x = find_instance_locked(name);
    long id = -1;
    if (!c || c->owner != o.identity || c->closing)
        pr_warn("interface: module %s: no class '%s' of its own (or it is unloading)\n", o.name,
                clsid);
    else if (x && x->cls == c && o.staging)
        id = x->id; /* a new version's init: the instance its identity has */
    else if (x)
        pr_warn("interface: module %s: instance name '%s' is taken (class %s)\n", o.name, name,
                x->cls->clsid);
    else if ((x = kzalloc(sizeof(*x)))) {
        x->id = id = next_instance_id++;
        x->cls = c;
        x->context = context;
        x->staged_by = o.staging ? o.version : NULL; /* announced when committed */
        strlcpy(x->name, name, sizeof(x->name));
        list_push_back(&iface_instances, &x->node);
        strlcpy(iid, c->iface->iid, sizeof(iid));
        strlcpy(cls, c->clsid, sizeof(cls));
        announce = !o.staging;
    }
    mutex_unlock(&iface_lock);
    if (announce)
        notify(iid, IFACE_APPEARED, cls, name);
    return id;
}

/* Removes x (iface_lock held, not held by anyone); copies what watchers
 * are told. */
static void remove_instance_locked(struct iface_instance *x, char *iid, char *cls, char *name)
{
    lockdep_assert_held(&iface_lock.dep);
    strlcpy(iid, x->cls->iface->iid, MOD_MANIFEST_IID_MAX + 1);
    strlcpy(cls, x->cls->clsid, MOD_MANIFEST_CLSID_MAX + 1);
    strlcpy(name, x->name, 24);
    list_remove(&x->node);
    kfree(x);
}

int iface_instance_remove(long id)
{
    struct dev_owner o;
    char iid[MOD_MANIFEST_IID_MAX + 1], cls[MOD_MANIFEST_CLSID_MAX + 1], name[24];
    if (!dev_current_owner(&o))
        return -1;
    mutex_lock(&iface_lock);
    list_for_each(pos, &iface_instances)
    {
        struct iface_instance *x = list_entry(pos, struct iface_instance, node);
        if (x->id != id || x->cls->owner != o.identity)
            continue;
        if (x->holders) {
            mutex_unlock(&iface_lock);
            return -1;
        }
        remove_instance_locked(x, iid, cls, name);
        mutex_unlock(&iface_lock);
        notify(iid, IFACE_GONE, cls, name);
        return 0;
    }
    mutex_unlock(&iface_lock);
    return -1;
}

/* ---- open, call, close ---- */

struct iface_instance *iface_open(const char *iid, const char *name_or_class, char *why,
                                  size_t why_size)
{
    mutex_lock(&iface_lock);
    struct iface *iface = iface_find_locked(iid);
    struct iface_instance *found = NULL;
    list_for_each(pos, &iface_instances)
    {
        struct iface_instance *x = list_entry(pos, struct iface_instance, node);
        if (x->cls->iface == iface && !x->staged_by && !x->cls->closing &&
            (strcmp(x->name, name_or_class) == 0 || strcmp(x->cls->clsid, name_or_class) == 0)) {
            found = x;
            break;
        }
    }
    if (found)
        found->holders++;
    else if (why)
        ksnprintf(why, why_size,
                  iface ? "interface '%s' has no instance or class '%s'" : "no interface '%s' (%s)",
                  iid, name_or_class);
    mutex_unlock(&iface_lock);
    return found;
}

void iface_close(struct iface_instance *x)
{
    mutex_lock(&iface_lock);
    x->holders--;
    mutex_unlock(&iface_lock);
}

int iface_method_index(const struct iface_instance *x, const char *method)
{
    for (uint32_t i = 0; i < x->cls->iface->method_count; i++)
        if (strcmp(x->cls->iface->methods[i].name, method) == 0)
            return (int)i;
    return -1;
}

/* Through the export's dispatch thunk: the version the caller's chain is
 * pinned to, or the current one at an outermost entry (dispatch.h). The
 * class, its identity and the context stay while the caller holds x. */
uint64_t iface_call(struct iface_instance *x, unsigned method, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3)
{
    const struct iface_class *c = x->cls;
    if (method >= c->iface->method_count)
        return (uint64_t)-1;
    uint64_t (*fn)(void *, uint64_t, uint64_t, uint64_t, uint64_t) =
        mod_dispatch_thunk(c->owner, c->method_export[method]);
    return fn(x->context, a0, a1, a2, a3);
}

unsigned iface_class_count(const char *iid)
{
    mutex_lock(&iface_lock);
    struct iface *iface = iface_find_locked(iid);
    unsigned n = iface ? iface->classes : 0;
    mutex_unlock(&iface_lock);
    return n;
}

bool iface_class_at(const char *iid, unsigned index, char *out, size_t size)
{
    bool found = false;
    mutex_lock(&iface_lock);
    list_for_each(pos, &iface_classes)
    {
        struct iface_class *c = list_entry(pos, struct iface_class, node);
        if (strcmp(c->iface->iid, iid) == 0 && index-- == 0) {
            strlcpy(out, c->clsid, size);
            found = true;
            break;
        }
    }
    mutex_unlock(&iface_lock);
    return found;
}

/* ---- the loader's hooks (module lock held) ---- */

/* The instances m added while it was staged become visible and are
 * announced (up to 8 at once; the rest are visible, not announced). */
void iface_module_commit(struct module *m)
{
    struct {
        char iid[MOD_MANIFEST_IID_MAX + 1], cls[MOD_MANIFEST_CLSID_MAX + 1], name[24];
    } news[8];
    unsigned count = 0;
    mutex_lock(&iface_lock);
    list_for_each(pos, &iface_instances)
    {
        struct iface_instance *x = list_entry(pos, struct iface_instance, node);
        if (x->staged_by != m)
            continue;
        x->staged_by = NULL;
        if (count < ARRAY_SIZE(news)) {
            strlcpy(news[count].iid, x->cls->iface->iid, sizeof(news[count].iid));
            strlcpy(news[count].cls, x->cls->clsid, sizeof(news[count].cls));
            strlcpy(news[count].name, x->name, sizeof(news[count].name));
            count++;
        }
    }
    mutex_unlock(&iface_lock);
    for (unsigned i = 0; i < count; i++)
        notify(news[i].iid, IFACE_APPEARED, news[i].cls, news[i].name);
}

void iface_module_drop_version(struct module *m)
{
    mutex_lock(&iface_lock);
    list_for_each_safe(pos, tmp, &iface_instances)
    {
        struct iface_instance *x = list_entry(pos, struct iface_instance, node);
        if (x->staged_by == m) {
            list_remove(&x->node);
            kfree(x);
        }
    }
    mutex_unlock(&iface_lock);
}

bool iface_module_closing(struct mod_identity *id, char *why, size_t size)
{
    bool busy = false;
    mutex_lock(&iface_lock);
    list_for_each(pos, &iface_instances)
    {
        struct iface_instance *x = list_entry(pos, struct iface_instance, node);
        if (x->cls->owner == id && x->holders) {
            ksnprintf(why, size, "instance %s of class %s is held (%u references)", x->name,
                      x->cls->clsid, x->holders);
            busy = true;
            break;
        }
    }
    list_for_each(pos, &iface_classes)
    {
        struct iface_class *c = list_entry(pos, struct iface_class, node);
        if (c->owner == id && !busy)
            c->closing = true; /* under the same lock as the check: no open in between */
    }
    mutex_unlock(&iface_lock);
    return busy;
}

/* Everything of the identity goes: instances (watchers told), classes,
 * its definitions, interfaces nobody defines or implements any more. */
void iface_module_unloaded(struct mod_identity *id)
{
    for (;;) { /* one instance at a time: watchers run without the lock */
        char iid[MOD_MANIFEST_IID_MAX + 1], cls[MOD_MANIFEST_CLSID_MAX + 1], name[24];
        bool removed = false;
        mutex_lock(&iface_lock);
        list_for_each(pos, &iface_instances)
        {
            struct iface_instance *x = list_entry(pos, struct iface_instance, node);
            if (x->cls->owner == id) {
                bool was_live = !x->staged_by;
                remove_instance_locked(x, iid, cls, name);
                removed = true;
                if (!was_live)
                    iid[0] = 0;
                break;
            }
        }
        mutex_unlock(&iface_lock);
        if (!removed)
            break;
        if (iid[0])
            notify(iid, IFACE_GONE, cls, name);
    }
    mutex_lock(&iface_lock);
    list_for_each_safe(pos, tmp, &iface_classes)
    {
        struct iface_class *c = list_entry(pos, struct iface_class, node);
        if (c->owner == id) {
            list_remove(&c->node);
            c->iface->classes--;
            iface_forget_if_unused_locked(c->iface);
            kfree(c);
        }
    }
    list_for_each_safe(pos, tmp, &iface_definitions)
    {
        struct iface_definition *d = list_entry(pos, struct iface_definition, node);
        if (d->owner == id) {
            list_remove(&d->node);
            d->iface->definers--;
            iface_forget_if_unused_locked(d->iface);
            kfree(d);
        }
    }
    mutex_unlock(&iface_lock);
}

/* ---- the listing gate ---- */

static void put_record(struct sys_interface_record *out, size_t *n, size_t *index, size_t start,
                       size_t max, const struct sys_interface_record *r)
{
    if ((*index)++ >= start && *n < max)
        out[(*n)++] = *r;
}

size_t iface_snapshot(struct sys_interface_record *out, size_t start, size_t max)
{
    size_t n = 0, index = 0;
    mutex_lock(&iface_lock);
    list_for_each(ip, &iface_list)
    {
        struct iface *i = list_entry(ip, struct iface, node);
        struct sys_interface_record r = { .kind = SYS_IFACE_INTERFACE,
                                          .version = (uint32_t)i->major << 16 | i->minor,
                                          .methods = i->method_count };
        strlcpy(r.iid, i->iid, sizeof(r.iid));
        strlcpy(r.module, i->defined_by, sizeof(r.module));
        put_record(out, &n, &index, start, max, &r);
        list_for_each(cp, &iface_classes)
        {
            struct iface_class *c = list_entry(cp, struct iface_class, node);
            if (c->iface != i)
                continue;
            r.kind = SYS_IFACE_CLASS;
            r.version = (uint32_t)c->major << 16 | c->minor;
            strlcpy(r.clsid, c->clsid, sizeof(r.clsid));
            strlcpy(r.module, c->module, sizeof(r.module));
            put_record(out, &n, &index, start, max, &r);
            list_for_each(xp, &iface_instances)
            {
                struct iface_instance *x = list_entry(xp, struct iface_instance, node);
                if (x->cls != c)
                    continue;
                r.kind = SYS_IFACE_INSTANCE;
                strlcpy(r.name, x->name, sizeof(r.name));
                r.holders = x->holders;
                put_record(out, &n, &index, start, max, &r);
                r.holders = 0;
                r.name[0] = 0;
            }
        }
    }
    mutex_unlock(&iface_lock);
    return n;
}
