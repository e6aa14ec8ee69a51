/* swap.h — in-kernel swaps of counter for the swap torture and benchmarks
 * (torture_swap.c). */
#pragma once
#include "modload/format/image.h"
#include "modload/update/update.h"

/* The section called name of the image GRUB loaded. */
bool swap_image_section(const char *name, struct mod_image_section *s);
/* Replaces counter by the image's counter object under version (major <<
 * 16 | minor) with the update transaction. Process context. */
enum mod_status swap_counter(uint32_t version, struct update_report *r, struct mod_error *err);
