/* kill_rules — who may end whom (docs/PROCESSES.md, "Sessions and kill").
 * Started by the kernel (a session of its own) with argv[1] = the pid of a
 * process of another session; it checks that kill ends its child, its
 * grandchild, a process of its session that is not its descendant (from a
 * sibling) and itself, and refuses its parent (from a child) and the other
 * session's process. Exits 0, or the number of the first check that
 * failed. The modes below are its helpers:
 *   middle TOP      spawns a sleeper and sends its pid to TOP; sends the
 *                   result of kill(TOP) (its parent); exits 0 when the
 *                   sleeper ended with 137
 *   sibling PID     exits with 0 when kill(PID) succeeds
 *   self            kill(getpid()): never returns (status 137), else 1 */
#include "sys.h"

static long start(const char *name, long argc, const char **argv)
{
    return spawn(name, raw_strlen(name), argv, (size_t)argc);
}

static long sleeper(void)
{
    const char *argv[] = { "sleeper", "100000" };
    return start("sleeper", 2, argv);
}

static int status_of(long pid)
{
    int status = -1;
    return wait(pid, &status) == 0 ? status : -1;
}

static void number(char *out, uint64_t n)
{
    char digits[24];
    int k = 0;
    do
        digits[k++] = (char)('0' + n % 10);
    while (n /= 10);
    while (k)
        *out++ = digits[--k];
    *out = 0;
}

static int middle(long top)
{
    long s = sleeper();
    if (s <= 0 || send(top, (uint64_t)s) != 0)
        return 1;
    if (send(top, (uint64_t)kill(top)) != 0) /* its parent: refused */
        return 2;
    return status_of(s) == SYS_EXIT_KILLED ? 0 : 3;
}

static int top(long other)
{
    int n = 0;
    char pid_text[24];
    struct sys_message m;
    long child = sleeper();
    if (++n, child <= 0 || kill(child) != 0 || status_of(child) != SYS_EXIT_KILLED)
        return n;
    /* a grandchild; and the middle one may not end its parent */
    number(pid_text, (uint64_t)getpid());
    const char *margv[] = { "kill_rules", "middle", pid_text };
    long mid = start("kill_rules", 3, margv);
    if (++n, mid <= 0 || receive(&m, 0) != 0)
        return n;
    long grandchild = (long)m.value;
    if (++n, receive(&m, 0) != 0 || (long)m.value != -SYS_EPERM)
        return n;
    if (++n, kill(grandchild) != 0 || status_of(mid) != 0)
        return n;
    /* a sibling in the session: not a descendant of the one that ends it */
    long victim = sleeper();
    number(pid_text, (uint64_t)victim);
    const char *sargv[] = { "kill_rules", "sibling", pid_text };
    long sib = start("kill_rules", 3, sargv);
    if (++n, victim <= 0 || sib <= 0 || status_of(sib) != 0 || status_of(victim) != SYS_EXIT_KILLED)
        return n;
    /* another session's process: refused, and it runs on */
    if (++n, kill(other) != -SYS_EPERM)
        return n;
    /* itself */
    const char *fargv[] = { "kill_rules", "self" };
    long self = start("kill_rules", 2, fargv);
    if (++n, self <= 0 || status_of(self) != SYS_EXIT_KILLED)
        return n;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && sys_streq(argv[1], "middle"))
        return middle((long)sys_number(argv[2], 0));
    if (argc > 2 && sys_streq(argv[1], "sibling"))
        return kill((long)sys_number(argv[2], 0)) == 0 ? 0 : 1;
    if (argc > 1 && sys_streq(argv[1], "self")) {
        kill(getpid());
        return 1;
    }
    return top(argc > 1 ? (long)sys_number(argv[1], 0) : 0);
}
