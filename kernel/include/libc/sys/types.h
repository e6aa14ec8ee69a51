/* sys/types.h — only what Concurrency Kit's ck_malloc.h needs (size_t). */
#pragma once
#include <stddef.h>
