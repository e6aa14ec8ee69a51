/* bad_import.c — imports a function nobody exports: loading must fail with
 * "unresolved import" and leave nothing behind. */
#include <wisp/module.h>

void no_such_function_anywhere(void);

static int bad_import_start(void)
{
    no_such_function_anywhere();
    return 0;
}
WISP_MODULE_INIT(bad_import_start);
