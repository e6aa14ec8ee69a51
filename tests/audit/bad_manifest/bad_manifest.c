/* bad_manifest.c — a correct module whose manifest does not parse. */
#include <wisp/module.h>

int answer(void) { return 42; }
WISP_EXPORT(answer);
