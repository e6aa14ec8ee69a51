/* sysinfo.c — the gate functions behind the user-space tools: process,
 * module and symbol lists, memory figures, the live contract audit.
 *
 * A listing call takes (records, start, max): it snapshots up to max
 * fixed-size records (struct sys_*_record, wisp/syscall.h) from the
 * start-th entry into a kernel buffer under the list's own lock (process
 * lock, module mutex, RCU for the symbol table), then copies them out with
 * copy_to_user after the lock is dropped. max is 1..SYS_LIST_MAX and the
 * whole destination is checked before anything is gathered: a bad pointer
 * is -SYS_EFAULT, a bad count -SYS_EINVAL. Thread context, may sleep.
 */
#include <wisp/process.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include "modload/module.h"
#include "modload/module_manifest.h"
#include "modload/contract/manifest.h"
#include "modload/symtab.h"
#include <string.h>

/* Checks the destination of max records of size bytes; a kernel buffer
 * for them, or NULL with *error set. (Also kernel/dev/gate.c's.) */
void *sysinfo_list_buffer(long records, long max, size_t size, long *error)
{
    if (max <= 0 || max > SYS_LIST_MAX) {
        *error = -SYS_EINVAL;
        return NULL;
    }
    if (!user_range_ok((uint64_t)records, (size_t)max * size)) {
        *error = -SYS_EFAULT;
        return NULL;
    }
    void *buffer = kzalloc((size_t)max * size);
    *error = buffer ? 0 : -SYS_ENOMEM;
    return buffer;
}

long sysinfo_copy_records(long records, void *buffer, size_t n, size_t size)
{
    long result = copy_to_user((void *)records, buffer, n * size) == 0 ? (long)n : -SYS_EFAULT;
    kfree(buffer);
    return result;
}

long sys_process_list(long records, long start, long max)
{
    long error;
    struct sys_process_record *buffer = sysinfo_list_buffer(records, max, sizeof(*buffer), &error);
    if (!buffer)
        return error;
    size_t n = start < 0 ? 0 : process_snapshot(buffer, (size_t)start, (size_t)max);
    return sysinfo_copy_records(records, buffer, n, sizeof(*buffer));
}

/* ---- modules ---- */

struct gather {
    void *records;
    size_t index, start, max, count;
};

static void gather_module(const struct module *m, void *arg)
{
    struct gather *g = arg;
    if (g->index++ < g->start || g->count == g->max)
        return;
    struct sys_module_record *r = (struct sys_module_record *)g->records + g->count++;
    strlcpy(r->name, m->name, sizeof(r->name));
    r->version = m->version;
    r->state = m->state;
    r->users = m->users;
    r->exports = m->export_count;
    r->size = m->size;
}

long sys_module_list(long records, long start, long max)
{
    long error;
    struct gather g = { .max = (size_t)max, .start = (size_t)start };
    g.records = sysinfo_list_buffer(records, max, sizeof(struct sys_module_record), &error);
    if (!g.records)
        return error;
    if (start >= 0)
        module_for_each(gather_module, &g);
    return sysinfo_copy_records(records, g.records, g.count, sizeof(struct sys_module_record));
}

/* ---- symbols ---- */

static void contract_summary(const struct mod_contract *c, char *out, size_t size)
{
    const char *parts[] = { "context ", mod_context_name(c->context), ", sleeps ",
                            mod_sleeps_name(c->sleeps),
                            c->reentrant ? ", reentrant" : ", not reentrant" };
    size_t used = 0;
    for (size_t k = 0; k < ARRAY_SIZE(parts) && used < size; k++)
        used += strlcpy(out + used, parts[k], size - used);
}

/* Under rcu_read_lock (sym_for_each): copies only, never sleeps. */
static void gather_symbol(const struct symbol *s, void *arg)
{
    struct gather *g = arg;
    if (g->index++ < g->start || g->count == g->max)
        return;
    struct sys_symbol_record *r = (struct sys_symbol_record *)g->records + g->count++;
    strlcpy(r->name, s->name, sizeof(r->name));
    strlcpy(r->module, s->owner ? s->owner->name : "core", sizeof(r->module));
    r->slot = s->slot;
    r->bindings = s->bindings;
    r->version = s->owner ? s->version : 0;
    const struct mod_manifest *m = s->owner ? s->owner->manifest : module_core_manifest();
    int i = m ? mod_manifest_find_export(m, s->name) : -1;
    if (i >= 0) {
        r->user_callable = m->exports[i].user_callable;
        contract_summary(&m->exports[i], r->contract, sizeof(r->contract));
    }
}

long sys_symbol_list(long records, long start, long max)
{
    long error;
    struct gather g = { .max = (size_t)max, .start = (size_t)start };
    g.records = sysinfo_list_buffer(records, max, sizeof(struct sys_symbol_record), &error);
    if (!g.records)
        return error;
    if (start >= 0)
        sym_for_each(gather_symbol, &g);
    return sysinfo_copy_records(records, g.records, g.count, sizeof(struct sys_symbol_record));
}

/* ---- memory and audit ---- */

long sys_memory_stats(long record)
{
    struct sys_memory_record r = {
        .page_size = PAGE_SIZE,
        .total_pages = pmm_total_pages(),
        .free_pages = pmm_free_page_count(),
        .heap_bytes = kmem_bytes_in_use(),
        .heap_large_pages = kmalloc_large_pages(),
        .processes = process_count(),
        .module_pages = module_area_pages_used(),
        .mapped_pages = mapping_resident_total(),
    };
    return copy_to_user((void *)record, &r, sizeof(r)) == 0 ? 0 : -SYS_EFAULT;
}

/* The report is the console's `audit`, written to the console (the
 * process's output) by the kernel; the result is the number of findings. */
long sys_audit(void) { return (long)module_audit_print(); }
