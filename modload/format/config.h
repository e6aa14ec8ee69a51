/* config.h — the boot configuration section: which modules load at boot.
 *
 * Text, one directive per line; blank lines and lines starting with '#'
 * are ignored; spaces and tabs separate words:
 *
 *     # modules loaded at boot, in this order (imports may reorder)
 *     load console
 *     load clock
 *
 * Version 1 knows one directive, `load NAME`, where NAME is a section name
 * (1..31 characters from [A-Za-z0-9_.-]). Pure code, no allocation.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "modload/format/error.h"
#include "modload/format/image.h"

struct mod_config_cursor {
    const char *text;
    size_t size;
    size_t position;
    uint32_t line; /* line of the last directive returned */
};

void mod_config_begin(struct mod_config_cursor *cursor, const void *text, size_t size);

/* Next `load` directive: MOD_OK with its module name in name, MOD_E_NOT_FOUND
 * at the end of the text, or MOD_E_CONFIG naming the line. */
enum mod_status mod_config_next(struct mod_config_cursor *cursor, char name[MOD_IMAGE_NAME_SIZE],
                                struct mod_error *err);
