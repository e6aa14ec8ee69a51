/* parent — spawns "args" with three arguments, waits, and exits with the
 * child's status + 1. */
#include "sys.h"

int main(void)
{
    const char *argv[] = { "args", "one", "three", NULL };
    long pid = spawn("args", 4, argv, 3);
    int status = -1;
    if (pid < 0 || wait(pid, &status) != 0)
        return 1;
    return status + 1;
}
