/* interface.h — interfaces and their implementations (kernel/dev/
 * interface.c): the COM-like model of the seed. An interface has an ID
 * (a name, "demo.compute") and a version, and a table of methods whose
 * contracts a manifest declares (`interface`, `method` blocks); an
 * implementation is a class (a class ID, "edu") that a module provides
 * (`implements IID M.N CLSID`), each method being the module's export
 * CLSID_METHOD; a module creates instances of its classes (one per
 * device, say), and callers open an instance by name or by class, hold it
 * by reference and call its methods.
 *
 * A method call goes through the export's dispatch thunk, the same path
 * as any call into a module: a live update of the implementing module
 * reaches every instance, each call chain wholly on one version. The
 * instances belong to the module's identity and survive its updates (the
 * state transfer carries their contexts); an unload is refused while an
 * instance is held.
 *
 * Context: process; may sleep (the registry's mutex); iface_call itself
 * sleeps only if the method does.
 */
#pragma once
#include <wisp/compiler.h>

struct iface_instance;

/* A method is called as fn(context, a0, a1, a2, a3) -> uint64_t. */
#define IFACE_METHOD_ARGS 4

/**
 * iface_instance_add - the calling module creates an instance of its
 * class clsid named name (unique in the registry, 1..23 characters of
 * [A-Za-z0-9_.-]) with context passed to every method. Returns its id
 * (> 0), or -1 (the reason is logged): no such class of the caller's, a
 * bad or taken name, no memory. A new version being loaded for an update
 * that adds an instance its identity has already gets that instance's id.
 */
long iface_instance_add(const char *clsid, const char *name, void *context);
/* The caller's instance goes (watchers are told); -1 while it is held. */
int iface_instance_remove(long id);

/* Opens the instance named name_or_class of interface iid, or the first
 * instance of the class of that name: held until iface_close. NULL when
 * there is none; why (may be NULL) says what was missing. */
struct iface_instance *iface_open(const char *iid, const char *name_or_class, char *why,
                                  size_t why_size);
void iface_close(struct iface_instance *instance);
/* Calls method (its index in the interface's table) on a held instance:
 * the method's result; (uint64_t)-1 when method is out of range. */
uint64_t iface_call(struct iface_instance *instance, unsigned method, uint64_t a0, uint64_t a1,
                    uint64_t a2, uint64_t a3);
/* The method's index in the interface of an instance, or -1. */
int iface_method_index(const struct iface_instance *instance, const char *method);

/* Watchers are told when an instance of iid appears or goes. fn runs in
 * the thread that added or removed the instance (it may hold the module
 * lock: an instance goes when its module is freed), without the
 * registry's lock: it may open and call instances, not watch or unwatch,
 * nor load or unload modules. */
enum iface_event { IFACE_APPEARED, IFACE_GONE };
typedef void (*iface_watch_fn)(void *arg, enum iface_event event, const char *clsid,
                               const char *name);
long iface_watch(const char *iid, iface_watch_fn fn, void *arg);
void iface_unwatch(long watch);

/* How many classes implement iid, and the clsid of the index-th (copied
 * into out); for enumerating implementations. */
unsigned iface_class_count(const char *iid);
bool iface_class_at(const char *iid, unsigned index, char *out, size_t size);
