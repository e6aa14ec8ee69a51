/* parent — spawns "args" with three arguments, waits, and exits with the
 * child's status + 1. */
#include "sys.h"

int main(void)
{
    const char *argv[] = { "args", "one", "three", NULL };
    long pid = raw_syscall(SYS_SPAWN, (long)"args", 4, (long)argv, 3);
    int status = -1;
    if (pid < 0 || raw_syscall(SYS_WAIT, pid, (long)&status, 0, 0) != 0)
        return 1;
    return status + 1;
}
