/* stdlib.h — nothing of the hosted library exists in the kernel; the header
 * is here because Concurrency Kit's ck_stdlib.h includes it. */
#pragma once
#include <stddef.h>
