/* qcounter v2: state layout 2, converted from 1 under quiescence. */
#define QCOUNTER_STATE_VERSION 2
#include "tests/modules/qcounter_v1/qcounter.c"
