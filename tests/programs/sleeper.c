/* sleeper — sleeps argv[1] milliseconds (default 1000), then exits 0: a
 * small process that stays alive while a test looks at it. */
#include "sys.h"

int main(int argc, char **argv)
{
    uint64_t ms = 0;
    for (const char *s = argc > 1 ? argv[1] : "1000"; *s >= '0' && *s <= '9'; s++)
        ms = ms * 10 + (uint64_t)(*s - '0');
    sleep(ms * 1000000);
    return 0;
}
