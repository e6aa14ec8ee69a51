/* map_fault — touches what it must not, argv[1] says what: "unmapped" (a
 * page of a mapping after unmap), "outside" (the mapping area where
 * nothing was mapped), "no_memory" (a fresh page while the kernel test
 * has made page-ins fail: mapping_fail_page_ins), "no_memory_copy" (the
 * same through write: the call fails with -EFAULT, then the process is
 * ended at its next safe point, here the entry of futex_wait, which
 * would block for ever otherwise). Each should end the process with the
 * page-fault status (142); it exits with 1, 2 or 3 if it was not. */
#include "sys.h"

#define PAGE 4096ul

int main(int argc, char **argv)
{
    char mode = argc > 1 ? argv[1][0] : 'u';
    volatile char *p = map(2 * PAGE);
    if ((long)p < 0)
        return 1;
    if (mode == 'u') {
        p[0] = 1;
        p[PAGE] = 1;
        if (unmap((void *)p, 2 * PAGE) != 0)
            return 2;
        return p[PAGE]; /* ends here */
    }
    if (mode == 'o')
        return p[64 * PAGE]; /* past the mapping: ends here */
    if (argv[1][9] != '_')
        return p[0]; /* no_memory: ends here */
    if (write((const char *)p, 1) != -SYS_EFAULT)
        return 2;
    static uint32_t never;
    futex_wait(&never, 0, 0); /* a blocking call: ends on the way in */
    return 3;
}
