/* interface_internal.h — the registry's structures, shared by
 * interface.c (the registry, calls, handles) and interface_load.c (the
 * manifest's interfaces bound at load). Everything here is protected by
 * iface_lock (interface.c).
 */
#pragma once
#include <wisp/interface.h>
#include <wisp/list.h>
#include <locks/mutex.h>
#include "modload/contract/manifest.h"

struct mod_identity;
struct module;

struct iface_method {
    char name[MOD_MANIFEST_NAME_SIZE];
    struct mod_contract contract; /* the five required fields; no lock sets */
};

struct iface {
    struct list_node node;
    char iid[MOD_MANIFEST_IID_MAX + 1];
    uint16_t major, minor;
    uint32_t method_count;
    struct iface_method methods[MOD_MANIFEST_MAX_METHODS];
    uint32_t definers;   /* loaded modules whose manifest defines it */
    uint32_t classes;    /* classes implementing it */
    char defined_by[32]; /* the first definer, for messages */
};

/* One module's definition of an interface (so an unload drops it). */
struct iface_definition {
    struct list_node node;
    struct iface *iface;
    struct mod_identity *owner;
};

struct iface_class {
    struct list_node node;
    char clsid[MOD_MANIFEST_CLSID_MAX + 1];
    struct iface *iface;
    uint16_t major, minor; /* the version it implements */
    struct mod_identity *owner;
    char module[32];
    uint32_t method_export[MOD_MANIFEST_MAX_METHODS]; /* export index in the identity */
    bool closing; /* its module is being unloaded: no new open, no new instance */
};

struct iface_instance {
    struct list_node node;
    long id;
    struct iface_class *cls;
    char name[24];
    void *context;
    uint32_t holders;         /* references: iface_open, handles, running user calls */
    struct module *staged_by; /* added by a version not yet live */
};

extern struct mutex iface_lock;
extern struct list_node iface_list;        /* struct iface */
extern struct list_node iface_definitions; /* struct iface_definition */
extern struct list_node iface_classes;     /* struct iface_class */
extern struct list_node iface_instances;   /* struct iface_instance */

struct iface *iface_find_locked(const char *iid);
struct iface_class *iface_find_class_locked(const char *clsid);
/* Drops an interface nobody defines or implements any more. */
void iface_forget_if_unused_locked(struct iface *iface);
