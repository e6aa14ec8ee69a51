/* counter_v3 — counter (modules/counter/counter.c) built as a test version for
 * live updates: version 3, same state layout: a concurrent swap that shares the state. */
#define COUNTER_VERSION 3
#include "modules/counter/counter.c"
