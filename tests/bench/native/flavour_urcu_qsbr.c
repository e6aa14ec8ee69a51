/* flavour_urcu_qsbr.c — userspace RCU, QSBR flavour (liburcu-qsbr): read
 * sections cost nothing; each reader announces a quiescent state itself
 * (here after every batch of reads), and a grace period waits for every
 * online reader to announce one. */
#define _LGPL_SOURCE
#include <urcu/urcu-qsbr.h>
#include <urcu/pointer.h>

static struct bench_object *slot;

static void flavour_init(void) {}
static void thread_online(int idx)
{
    (void)idx;
    urcu_qsbr_register_thread();
}
static void thread_offline(void) { urcu_qsbr_unregister_thread(); }

#define FLAVOUR_VAR           flavour_urcu_qsbr
#define FLAVOUR_NAME          "urcu_qsbr"
#define READ_LOCK()           urcu_qsbr_read_lock()
#define READ_UNLOCK()         urcu_qsbr_read_unlock()
#define QUIESCENT()           urcu_qsbr_quiescent_state()
#define SLOT_LOAD()           ((struct bench_object *)rcu_dereference(slot))
#define SLOT_SWAP(new_object) ((struct bench_object *)rcu_xchg_pointer(&slot, (new_object)))
#define SYNCHRONIZE()         urcu_qsbr_synchronize_rcu()
#include "bench_loop.h"
