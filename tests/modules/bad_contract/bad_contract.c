/* bad_contract.c — calls mutex_lock from what its manifest says is
 * interrupt context: the core's mutex_lock is process-only and may sleep,
 * so the load must be refused (clause 'context') before its init runs. */
#include <wisp/module.h>
#include <wisp/printk.h>
#include <locks/mutex.h>

static struct mutex lock = MUTEX_INIT(lock, "badcontract.lock");

static int bad_contract_start(void)
{
    mutex_lock(&lock);
    mutex_unlock(&lock);
    pr_info("badcontract: loaded (a refused module must never print this)\n");
    return 0;
}
WISP_MODULE_INIT(bad_contract_start);
