/* bad_arguments — every bad argument comes back as an error, never a
 * fault: a kernel pointer, an unmapped one, a huge length, a kernel status
 * pointer, a pid that is no child, and spawn's arguments (too many, a
 * kernel argv, a too long string, an unknown program). Each goes through
 * its ghost function's gate stub (raw_syscall would be ended, so an
 * unknown call number is the faults program's `raw_syscall` case). Exits 0 when each comes back as
 * expected, else the number of the check that failed. */
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
    long results[] = {
        write((const char *)KERNEL_TEXT, 8) == -SYS_EFAULT,
        write((const char *)0x10000000, 8) == -SYS_EFAULT,
        write(&stack_byte, (size_t)-1) == -SYS_EFAULT,
        wait(1, (int *)KERNEL_TEXT) == -SYS_EFAULT,
        wait(1, 0) == -SYS_ECHILD,
        spawn("exit42", 6, argv_ok, 1000) == -SYS_EINVAL,
        spawn("exit42", 6, (const char *const *)KERNEL_TEXT, 1) == -SYS_EFAULT,
        spawn("exit42", 6, argv_kernel, 1) == -SYS_EFAULT,
        spawn("exit42", 6, argv_long, 1) == -SYS_EINVAL,
        spawn("nosuchprogram", 13, 0, 0) == -SYS_ENOENT,
        spawn((const char *)KERNEL_TEXT, 6, 0, 0) == -SYS_EFAULT,
    };
    for (unsigned i = 0; i < sizeof(results) / sizeof(results[0]); i++)
        if (!results[i])
            return (int)i + 1;
    return 0;
}
