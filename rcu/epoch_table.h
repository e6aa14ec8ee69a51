/* epoch_table.h — arrays of pointer-sized slots read under epoch sections.
 *
 * The symbol table and ghost bindings sit on this: a call through a slot is
 *
 *     rcu_read_lock();
 *     fn = epoch_slot_load(table, i);
 *     result = fn(args);
 *     rcu_read_unlock();
 *
 * and a writer repoints a slot with epoch_slot_publish() (or _retire(),
 * which also hands the old object to rcu_call()). The read path is one plain
 * load: the fences it needs are in the section entry and in the publish.
 *
 * Fence discipline (x86-64, TSO):
 *  - publish: an atomic exchange. Every store that initialised the new
 *    object is ordered before the slot store (x86 keeps stores in order;
 *    the exchange is also a full fence). Pairs with the reader's load
 *    below, whose later accesses through the pointer depend on it.
 *  - load: a single volatile load, no fence. x86 keeps loads in order, so
 *    a reader that sees the new pointer sees the initialised object. It
 *    must be inside a section: the section entry's exchange orders this
 *    load after the record is seen active (pairs with rcu_synchronize's
 *    first fence), which is what keeps the old object alive.
 *  - retire: after the exchange, the old object is unreachable for new
 *    readers; rcu_call() frees it only after every section that might have
 *    loaded it has ended.
 */
#pragma once
#include <rcu/rcu.h>
#include <ck_pr.h>

struct epoch_table {
    size_t slot_count;
    void *slots[];
};

/* Creates a table of slot_count slots, all NULL. May sleep; NULL when out
 * of memory or slot_count is 0. */
struct epoch_table *epoch_table_create(size_t slot_count);
/* Frees the table (not what its slots point to). The caller guarantees no
 * reader can still reach the table (e.g. after rcu_synchronize()). */
void epoch_table_destroy(struct epoch_table *table);

/* Loads slot i. Call inside a read-side section and keep the result only
 * until the section ends. i < slot_count is the caller's contract (not
 * checked here: this is the hot path; binders check indices once). */
static inline void *epoch_slot_load(const struct epoch_table *table, size_t i)
{
    return ck_pr_load_ptr(&table->slots[i]);
}

/* Makes slot i point to new_value; returns the value it replaces. Any
 * context; several writers may publish to one slot concurrently (each old
 * value is returned exactly once). The old value may still be in use by
 * readers until a grace period has passed. */
static inline void *epoch_slot_publish(struct epoch_table *table, size_t i, void *new_value)
{
    return ck_pr_fas_ptr(&table->slots[i], new_value);
}

/* Publishes new_value into slot i and retires the old object: when the slot
 * held one, rcu_call(old + head_offset, fn) runs fn after a grace period.
 * Returns the old value (do not touch it after fn may have run). Any
 * context; never sleeps. */
void *epoch_slot_publish_retire(struct epoch_table *table, size_t i, void *new_value,
                                size_t head_offset, rcu_callback_fn fn);

/* Typed form: the slot holds pointers to `type`, whose rcu_head is `member`. */
#define EPOCH_SLOT_REPLACE(table, i, new_value, type, member, fn) \
    ((type *)epoch_slot_publish_retire((table), (i), (new_value), offsetof(type, member), (fn)))
