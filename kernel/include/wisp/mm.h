/* mm.h — memory management: physical pages (pmm), paging (vmm), heap. */
#pragma once
#include <wisp/compiler.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12

void mm_init(void);    /* pmm, vmm and heap, in that order (BSP, boot) */
