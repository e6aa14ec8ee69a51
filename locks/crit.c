/* crit.c — the critical section's validator identity (crit.h). */
#include <locks/crit.h>

struct lock_dep crit_section_dep = LOCK_DEP_INIT("crit_section");
