/* counter_bad_import — counter (modules/counter/counter.c) built as a test version for
 * live updates: imports a function nobody exports: refused at the load step. */
#define COUNTER_VERSION 7
void no_such_function_anywhere(void);
static void __attribute__((used)) counter_needs_missing(void) { no_such_function_anywhere(); }
#include "modules/counter/counter.c"
