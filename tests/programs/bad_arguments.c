/* bad_arguments — every bad argument comes back as an error, never a
 * fault: a kernel pointer, an unmapped one, a huge length, an unknown call
 * number, a kernel status pointer, a pid that is no child, and spawn's
 * arguments (too many, a kernel argv, an unterminated or too long string,
 * an unknown program). Exits 0 when each does, else the number of the
 * check that failed. */
#include "sys.h"

#define KERNEL_TEXT 0xffffffff80100000l

static char long_arg[300];

int main(void)
{
    char stack_byte;
    const char *argv_ok[2] = { "exit42", NULL };
    const char *argv_long[2] = { long_arg, NULL };
    const char *argv_kernel[2] = { (const char *)KERNEL_TEXT, NULL };
    for (unsigned i = 0; i < sizeof(long_arg) - 1; i++)
        long_arg[i] = 'x';
    struct {
        long number, a, b, c, d, expected;
    } checks[] = {
        { SYS_WRITE, KERNEL_TEXT, 8, 0, 0, -SYS_EFAULT },
        { SYS_WRITE, 0x10000000, 8, 0, 0, -SYS_EFAULT },
        { SYS_WRITE, (long)&stack_byte, -1, 0, 0, -SYS_EFAULT },
        { 1000, 0, 0, 0, 0, -SYS_ENOSYS },
        { SYS_WAIT, 1, KERNEL_TEXT, 0, 0, -SYS_EFAULT },
        { SYS_WAIT, 1, 0, 0, 0, -SYS_ECHILD },
        { SYS_SPAWN, (long)"exit42", 6, (long)argv_ok, 1000, -SYS_EINVAL },
        { SYS_SPAWN, (long)"exit42", 6, KERNEL_TEXT, 1, -SYS_EFAULT },
        { SYS_SPAWN, (long)"exit42", 6, (long)argv_kernel, 1, -SYS_EFAULT },
        { SYS_SPAWN, (long)"exit42", 6, (long)argv_long, 1, -SYS_EINVAL },
        { SYS_SPAWN, (long)"nosuchprogram", 13, 0, 0, -SYS_ENOENT },
        { SYS_SPAWN, KERNEL_TEXT, 6, 0, 0, -SYS_EFAULT },
    };
    for (unsigned i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
        if (raw_syscall(checks[i].number, checks[i].a, checks[i].b, checks[i].c, checks[i].d) !=
            checks[i].expected)
            return (int)i + 1;
    return 0;
}
