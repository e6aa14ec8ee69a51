/* exports_mismatch.c — exports one function, its manifest declares another. */
#include <wisp/module.h>

int real_export(void) { return 1; }
WISP_EXPORT(real_export);
