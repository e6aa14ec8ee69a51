/* update.c — what a verified push does (called by the updater thread,
 * update_line.c). A module that is not loaded is loaded (all or nothing,
 * module.c). Replacing a module that is live is the update transaction of
 * MODULES.md "Live update"; until it lands, such a push is refused with a
 * reason naming the switch step and the running version stays untouched. */
#include <wisp/printk.h>
#include "modload/module.h"
#include "modload/update_line.h"

enum mod_status update_line_apply(const struct mod_image_section *s, struct mod_error *err)
{
    struct module *m = module_find(s->name);
    if (m)
        return mod_fail(err, MOD_E_BUSY, "switch: %s %u.%u is live; replacing a live module is not supported yet",
                        m->name, m->version >> 16, m->version & 0xffff);
    enum mod_status st = module_load_object(s->name, s->version, s->content, s->size, &m, err);
    if (st)
        return st;
    return mod_fail(err, MOD_OK, "%s %u.%u loaded (new module)", m->name, m->version >> 16,
                    m->version & 0xffff);
}
