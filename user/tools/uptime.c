/* uptime — time since boot, in seconds with milliseconds (time). */
#include <ghost.h>
#include "user/lib/ulib.h"

int main(void)
{
    uint64_t ms = time() / 1000000;
    char millis[4] = { (char)('0' + ms / 100 % 10), (char)('0' + ms / 10 % 10),
                       (char)('0' + ms % 10), 0 };
    u_put("up ");
    u_put_number(ms / 1000);
    u_put(".");
    u_put(millis);
    u_put(" s\n");
    return 0;
}
