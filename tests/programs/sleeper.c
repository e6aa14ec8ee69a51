/* sleeper — sleeps argv[1] milliseconds (default 1000), then exits 0: a
 * small process that stays alive while a test looks at it. */
#include "sys.h"

int main(int argc, char **argv)
{
    uint64_t ms = sys_number(argc > 1 ? argv[1] : NULL, 1000);
    sleep(ms * 1000000);
    return 0;
}
