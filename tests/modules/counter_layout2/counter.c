/* counter_layout2 — counter with state layout 2: a quiescent update, refused
 * because counter's exports are callable from interrupt context. */
#define COUNTER_VERSION       8
#define COUNTER_STATE_VERSION 2
#include "modules/counter/counter.c"
