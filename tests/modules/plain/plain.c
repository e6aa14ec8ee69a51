/* plain.c — a well-formed test module; the bad-image test signs it wrongly,
 * tampers with it or leaves it unsigned, and checks the kernel refuses it. */
#include <wisp/module.h>
#include <wisp/printk.h>

static int plain_start(void)
{
    pr_info("plain: loaded (a refused section must never print this)\n");
    return 0;
}
WISP_MODULE_INIT(plain_start);
