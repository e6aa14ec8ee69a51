/* clock_agrees — clock_ns() runs in user mode (ghost code reading the TSC and the
 * read-only calibration page) and agrees with time(), which reads the same
 * clock in the kernel through the gate: exits 0 when the kernel's reading
 * falls between two user-mode readings and the clock moves forward. */
#include "sys.h"

int main(void)
{
    int bad = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t before = clock_ns(), kernel = time(), after = clock_ns();
        if (!(before <= kernel && kernel <= after && before < after))
            bad++;
    }
    return bad;
}
