/* undeclared_lock.c — defines a lock class its manifest does not declare. */
#include <wisp/module.h>
#include <locks/mutex.h>

static struct mutex cache_lock = MUTEX_INIT(cache_lock, "undeclared_lock.cache");
static int cache;

int cache_read(void)
{
    mutex_lock(&cache_lock);
    int v = cache;
    mutex_unlock(&cache_lock);
    return v;
}
WISP_EXPORT(cache_read);
