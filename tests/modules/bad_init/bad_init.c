/* bad_init.c — its init fails: the load must fail with the init's error,
 * and its exports must not stay in the symbol table. */
#include <wisp/module.h>

int bad_init_export(void) { return 7; }
WISP_EXPORT(bad_init_export);

static int bad_init_start(void) { return -5; }
WISP_MODULE_INIT(bad_init_start);
