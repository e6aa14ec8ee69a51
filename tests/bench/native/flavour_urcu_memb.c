/* flavour_urcu_memb.c — userspace RCU, "memb" flavour (liburcu-memb): read
 * sections mark a per-thread counter, the grace period uses membarrier(2)
 * to order the readers. Read side inlined (_LGPL_SOURCE), as liburcu
 * recommends for speed. */
#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/pointer.h>

static struct bench_object *slot;

static void flavour_init(void) {}
static void thread_online(int idx)
{
    (void)idx;
    urcu_memb_register_thread();
}
static void thread_offline(void) { urcu_memb_unregister_thread(); }

#define FLAVOUR_VAR           flavour_urcu_memb
#define FLAVOUR_NAME          "urcu_memb"
#define READ_LOCK()           urcu_memb_read_lock()
#define READ_UNLOCK()         urcu_memb_read_unlock()
#define QUIESCENT()           ((void)0)
#define SLOT_LOAD()           ((struct bench_object *)rcu_dereference(slot))
#define SLOT_SWAP(new_object) ((struct bench_object *)rcu_xchg_pointer(&slot, (new_object)))
#define SYNCHRONIZE()         urcu_memb_synchronize_rcu()
#include "bench_loop.h"
