/* claimer_bad_init — claimer (tests/modules/claimer) whose init claims
 * ports 0x520-0x527 and then fails: the failed load must release them. */
#define CLAIMER_FAIL_INIT
#include "tests/modules/claimer/claimer.c"
