/* ghost_stub.c — a stand-in libghost.so for the host tests of exec.c: the
 * names imports.c calls. */
#include <stdint.h>

uint64_t counter_add(uint64_t n) { return n; }
uint64_t counter_version(void) { return 0; }
