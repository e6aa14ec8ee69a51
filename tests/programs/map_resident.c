/* map_resident — maps argv[1] pages (default 1024), writes to the first
 * argv[2] of them (default 10), then waits for ever (futex_wait): the
 * kernel test counts its resident pages and the free pages, then kills
 * it. Exits 1 if map fails. */
#include "sys.h"

#define PAGE 4096ul

static uint32_t never;

int main(int argc, char **argv)
{
    uint64_t pages = sys_number(argc > 1 ? argv[1] : 0, 1024);
    uint64_t touched = sys_number(argc > 2 ? argv[2] : 0, 10);
    char *p = map(pages * PAGE);
    if ((long)p < 0)
        return 1;
    for (uint64_t i = 0; i < touched && i < pages; i++)
        p[i * PAGE] = 1;
    for (;;)
        futex_wait(&never, 0, 0);
}
