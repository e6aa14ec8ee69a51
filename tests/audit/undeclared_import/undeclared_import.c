/* undeclared_import.c — calls kzalloc, which its manifest does not import. */
#include <wisp/module.h>
#include <wisp/mm.h>

void *buffer_new(void) { return kzalloc(64); }
WISP_EXPORT(buffer_new);
