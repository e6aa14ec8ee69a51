/* counter_bad_init — counter (modules/counter/counter.c) built as a test version for
 * live updates: its init fails: the update is refused at the init step. */
#define COUNTER_VERSION 4
#define COUNTER_FAIL_INIT
#include "modules/counter/counter.c"
