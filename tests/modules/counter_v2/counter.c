/* counter_v2 — counter (modules/counter/counter.c) built as a test version for
 * live updates: version 2, same state layout: a concurrent swap that shares the state. */
#define COUNTER_VERSION 2
#include "modules/counter/counter.c"
