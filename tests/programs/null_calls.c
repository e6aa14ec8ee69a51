/* null_calls — 100000 calls of the ghost function null() (a trampoline,
 * the gate stub, the gate); exits with the cycles per call. */
#include "sys.h"

int main(void)
{
    uint64_t start = sys_rdtsc();
    for (int i = 0; i < 100000; i++)
        null();
    return (int)((sys_rdtsc() - start) / 100000);
}
