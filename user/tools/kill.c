/* kill PID... — ends processes: each at its next return to user mode or
 * wake-up, with status 137. It may end the processes of its session (the
 * shell's jobs) but its ancestors (the shell that runs kill, for one), and
 * nothing of another session. Exits with the number of failures. */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

static void fail(const char *arg, const char *why)
{
    u_put("kill: ");
    u_put(arg);
    u_put(": ");
    u_put(why);
    u_put("\n");
}

int main(int argc, char **argv)
{
    int failures = 0;
    if (argc < 2) {
        u_put("usage: kill PID...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        uint64_t pid;
        long result = u_parse_number(argv[i], &pid) ? kill((long)pid) : -SYS_EINVAL;
        if (result == 0)
            continue;
        failures++;
        if (result == -SYS_EINVAL)
            fail(argv[i], "not a pid");
        else if (result == -SYS_ESRCH)
            fail(argv[i], "no such process");
        else if (result == -SYS_EPERM)
            fail(argv[i], "not allowed (an ancestor, or another session's)");
        else
            fail(argv[i], "refused");
    }
    return failures;
}
