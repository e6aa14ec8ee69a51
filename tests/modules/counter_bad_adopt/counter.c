/* counter_bad_adopt — counter (modules/counter/counter.c) built as a test version for
 * live updates: its wisp_state_adopt refuses: the update is refused at the transfer step. */
#define COUNTER_VERSION 5
#define COUNTER_FAIL_ADOPT
#include "modules/counter/counter.c"
