/* qcounter v3: the code of v2 (state layout 2) under a newer version, so
 * that a second quiescent swap is a newer push, not a replay. */
#define QCOUNTER_STATE_VERSION 2
#include "tests/modules/qcounter_v1/qcounter.c"
