/* iface_calls — the gate's checks of interface handles and arguments
 * (kernel/dev/gate.c): a good call, the wrong interface, methods out of
 * range, forged handles, a handle of another process (a child of this
 * program is given this one's handle number and must be refused), a
 * stale handle after close, bad pointers and names. It leaves one handle
 * open at exit (the kernel closes it: the in-kernel test checks that).
 * Exits 0 when each comes back as expected, else the number of the check
 * that failed. With one argument N it is the child: N is not its handle. */
#include "sys.h"

#define KERNEL_TEXT 0xffffffff80100000l
#define IID         "demo.compute"

static char long_name[300];

static const char *decimal(long n, char *end)
{
    *--end = 0;
    do {
        *--end = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    return end;
}

static int child(const char *arg)
{
    long h = (long)sys_number(arg, 0);
    if (iface_call(h, IID, 0, 5, 0) != -SYS_EBADF)
        return 1;
    return iface_close(h) == -SYS_EBADF ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return child(argv[1]);
    for (unsigned i = 0; i < sizeof(long_name) - 1; i++)
        long_name[i] = 'x';
    long h = iface_open(IID, "soft0");
    if (h < 0)
        return 100;
    char text[24];
    const char *child_argv[2] = { "iface_calls", decimal(h, text + sizeof(text)) };
    long pid = spawn("iface_calls", 11, child_argv, 2);
    int child_status = -1;
    long waited = pid > 0 ? wait(pid, &child_status) : -1;
    long results[] = {
        iface_call(h, IID, 0, 5, 0) == 120,
        iface_call(h, IID, 1, 0, 0) == 0xffffffffl,
        iface_call(h, "demo.other", 0, 5, 0) == -SYS_EINVAL,
        iface_call(h, IID, 4, 0, 0) == -SYS_EINVAL,
        iface_call(h, IID, -1, 0, 0) == -SYS_EINVAL,
        iface_call(h, IID, 1l << 40, 0, 0) == -SYS_EINVAL,
        iface_call(12345, IID, 0, 5, 0) == -SYS_EBADF,
        iface_call(-1, IID, 0, 5, 0) == -SYS_EBADF,
        iface_call(h + 256, IID, 0, 5, 0) == -SYS_EBADF, /* another generation */
        iface_call(h, (const char *)KERNEL_TEXT, 0, 5, 0) == -SYS_EFAULT,
        iface_open((const char *)KERNEL_TEXT, "soft0") == -SYS_EFAULT,
        iface_open(IID, (const char *)0x10000000) == -SYS_EFAULT,
        iface_open(IID, "nosuch") == -SYS_ENOENT,
        iface_open("", "soft0") == -SYS_EINVAL,
        iface_open(IID, long_name) == -SYS_EINVAL,
        waited == 0 && child_status == 0,   /* the child could not use h */
        iface_call(h, IID, 0, 6, 0) == 720, /* and did not close it */
        iface_close(h) == 0,
        iface_call(h, IID, 0, 5, 0) == -SYS_EBADF, /* stale */
        iface_close(h) == -SYS_EBADF,
        iface_open(IID, "soft0") > 0, /* left open: closed by the kernel at exit */
    };
    for (unsigned i = 0; i < sizeof(results) / sizeof(results[0]); i++)
        if (!results[i])
            return (int)i + 1;
    return 0;
}
