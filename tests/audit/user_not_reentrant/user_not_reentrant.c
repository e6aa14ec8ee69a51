/* user_not_reentrant.c — a user-callable export that is not reentrant. */
#include <wisp/module.h>

static int last;

int remember(int v)
{
    int old = last;
    last = v;
    return old;
}
WISP_EXPORT(remember);
