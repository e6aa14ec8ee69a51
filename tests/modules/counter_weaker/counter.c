/* counter_weaker — counter (modules/counter/counter.c) built as a test version for
 * live updates: its manifest weakens counter_add (reentrant no): refused at the contract step. */
#define COUNTER_VERSION 6
#include "modules/counter/counter.c"
