/* sse — argv[1] "keep": xmm0 keeps its value across 200 yields while other
 * processes run ("clobber" ones change theirs). 0 when it did. */
#include "sys.h"

int main(int argc, char **argv)
{
    int keep = argc > 1 && argv[1][0] == 'k';
    uint64_t mine = keep ? 0x1234567 : 0;
    __asm__ volatile("movq %0, %%xmm0" ::"r"(mine) : "xmm0");
    for (uint64_t i = 200; i > 0; i--) {
        if (!keep)
            __asm__ volatile("movq %0, %%xmm0" ::"r"(i) : "xmm0");
        yield();
        uint64_t now;
        __asm__ volatile("movq %%xmm0, %0" : "=r"(now));
        if (keep && now != mine)
            return 1;
    }
    return 0;
}
