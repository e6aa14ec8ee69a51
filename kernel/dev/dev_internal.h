/* dev_internal.h — what the files of kernel/dev/ share: who is calling
 * (the owner of a claim or an instance) and the registry's hooks for the
 * loader. Private to kernel/dev/ and the syscall half in kernel/proc/.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/resource.h>
#include <wisp/list.h>

struct mod_identity;
struct module;
struct mod_manifest;
struct mod_error;
struct process;

/* Who a call into the registry comes from. identity NULL: the core. */
struct dev_owner {
    struct mod_identity *identity;
    struct module *version;              /* the version whose code calls */
    const struct mod_manifest *manifest; /* its manifest */
    const char *name;                    /* module name, "core" */
    bool staging;                        /* a version being loaded beside the live one (update) */
};

/* loader.c: the module whose init runs on this thread (between
 * dev_module_begin and dev_module_end), else the innermost module this
 * thread's chain is in (its pins). false: no module is calling. */
bool dev_current_owner(struct dev_owner *owner);

/* resource.c, for the loader hooks (module lock held). */
void resource_commit_version(struct module *m);       /* staged → owned */
void resource_drop_version(struct module *m);         /* staged claims of m go */
void resource_drop_identity(struct mod_identity *id); /* every claim goes */
/* msi.c, dma.c: claims of vectors and DMA memory for the calling module
 * (resource_claim refuses those kinds), and what a dropped claim undoes. */
long resource_claim_allocated(enum resource_kind kind, uint64_t first, uint64_t last,
                              const char *instance);
int resource_release_at(enum resource_kind kind, uint64_t first);
void msi_vector_dropped(unsigned vector);
void dma_dropped(uint64_t first, uint64_t last);

/* interface.c, for the loader hooks (module lock held). */
int iface_module_begin(struct module *m, struct mod_error *err);
void iface_module_commit(struct module *m);
void iface_module_drop_version(struct module *m);
/* An unload's last check: true (why says which) while an instance of the
 * identity's classes is held; else its classes take no new opens or
 * instances from now on (the unload goes on). */
bool iface_module_closing(struct mod_identity *id, char *why, size_t size);
void iface_module_unloaded(struct mod_identity *id);
/* Process exit: its handles are closed. */
void iface_process_exit(struct process *p);

/* The records of the listing gates (kernel/proc/sysinfo.c's pattern). */
struct sys_device_record;
struct sys_resource_record;
struct sys_interface_record;
size_t dev_device_snapshot(struct sys_device_record *out, size_t start, size_t max);
size_t resource_snapshot(struct sys_resource_record *out, size_t start, size_t max);
size_t iface_snapshot(struct sys_interface_record *out, size_t start, size_t max);

/* kernel/proc/sysinfo.c's helpers for the listing gates. */
void *sysinfo_list_buffer(long records, long max, size_t size, long *error);
long sysinfo_copy_records(long records, void *buffer, size_t n, size_t size);
