/* edu_v2 — the edu driver (modules/edu/edu.c) as version 2, for the
 * in-kernel test that updates it live under held instances: edu_version
 * answers 2. Its manifest is modules/edu/manifest.wisp at 2.0. */
#define EDU_VERSION 2
#include "modules/edu/edu.c"
