/* wait_status — wait and trywait with a status pointer that faults
 * (unmapped, or the program's own read-only code) return -EFAULT and
 * leave the child collectable: a later wait gets its status. Exits 0, or
 * the number of the first check that failed. */
#include "sys.h"

static long start(const char *name) { return spawn(name, raw_strlen(name), 0, 0); }

int main(void)
{
    int *unmapped = (int *)0x0000700000000000ul;
    int *code = (int *)(void *)main;
    int status = -1;
    int n = 0;
    long child = start("exit42");
    if (++n, child <= 0)
        return n;
    if (++n, wait(child, unmapped) != -SYS_EFAULT)
        return n;
    if (++n, trywait(child, unmapped) != -SYS_EFAULT) /* it has ended: the copy faults */
        return n;
    if (++n, wait(child, code) != -SYS_EFAULT)
        return n;
    if (++n, trywait(child, &status) != 0 || status != 42)
        return n;
    if (++n, wait(child, &status) != -SYS_ECHILD) /* collected once */
        return n;
    child = start("exit42");
    if (++n, child <= 0 || wait(child, code) != -SYS_EFAULT)
        return n;
    if (++n, wait(child, &status) != 0 || status != 42)
        return n;
    return 0;
}
