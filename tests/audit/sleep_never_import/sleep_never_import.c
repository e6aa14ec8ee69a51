/* sleep_never_import.c — an export declared `sleeps never` that calls
 * mutex_lock, which the core declares `sleeps may`. */
#include <wisp/module.h>
#include <locks/mutex.h>

static struct mutex table_lock = MUTEX_INIT(table_lock, "sleep_never_import.table");
static int table[4];

int fast_get(int i)
{
    mutex_lock(&table_lock);
    int v = table[i & 3];
    mutex_unlock(&table_lock);
    return v;
}
WISP_EXPORT(fast_get);
