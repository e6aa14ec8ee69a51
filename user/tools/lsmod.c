/* lsmod — the loaded modules: name, version, state, users, exports, size
 * (module_list). */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

static const char *const states[] = { "loading", "live", "unloading" };

int main(void)
{
    struct sys_module_record records[8];
    u_put("MODULE           VERSION STATE     USERS EXPORTS   KIB\n");
    for (size_t start = 0;; start += 8) {
        long n = module_list(records, start, 8);
        if (n < 0) {
            u_put("lsmod: module_list failed\n");
            return 1;
        }
        for (long i = 0; i < n; i++) {
            const struct sys_module_record *r = &records[i];
            u_put_column(r->name, 16);
            u_put_version(r->version);
            u_put("     ");
            u_put_column(r->state < 3 ? states[r->state] : "?", 9);
            u_put_number_column(r->users, 5);
            u_put_number_column(r->exports, 7);
            u_put_number_column(r->size / 1024, 5);
            u_put("\n");
        }
        if (n < 8)
            return 0;
    }
}
