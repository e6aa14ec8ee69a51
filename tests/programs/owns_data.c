/* owns_data — writes a marker at OTHER_VA, inside its own 1 MiB bss, and
 * sleeps 50 ms so that reads_other runs meanwhile. */
#include "sys.h"

#define OTHER_VA 0x480000ul /* load base 0x400000 + 512 KiB */

static volatile uint8_t big[1 << 20];

int main(void)
{
    big[0] = 1;
    *(volatile uint64_t *)OTHER_VA = 0x5a5a;
    sleep(50000000);
    return 0;
}
