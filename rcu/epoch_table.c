/* epoch_table.c — creating epoch tables and retiring what their slots held.
 * The read path and publish are inline in epoch_table.h. */
#include <rcu/epoch_table.h>
#include <wisp/mm.h>

struct epoch_table *epoch_table_create(size_t slot_count)
{
    if (slot_count == 0 || slot_count > (SIZE_MAX - sizeof(struct epoch_table)) / sizeof(void *))
        return NULL;
    struct epoch_table *table = kzalloc(sizeof(*table) + slot_count * sizeof(void *));
    if (!table)
        return NULL;
    table->slot_count = slot_count;
    return table;
}

void epoch_table_destroy(struct epoch_table *table) { kfree(table); }

void *epoch_slot_publish_retire(struct epoch_table *table, size_t i, void *new_value,
                                size_t head_offset, rcu_callback_fn fn)
{
    void *old = epoch_slot_publish(table, i, new_value);
    if (old)
        rcu_call((struct rcu_head *)((char *)old + head_offset), fn);
    return old;
}
