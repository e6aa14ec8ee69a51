/* compute_extra_v2 — compute_extra at 2.0 with the same exports but no
 * longer implementing class extra: an update may not change the classes a
 * module implements, so the in-kernel test's update to it is refused
 * (tests/kernel/test_devices.c). */
#include "tests/modules/compute_extra/extra.c"
