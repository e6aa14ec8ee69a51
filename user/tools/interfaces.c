/* interfaces — the interface registry (interface_list): each interface
 * with its version, methods and first definer, its classes (the
 * implementations) with their modules, and their instances with how many
 * references hold them.
 *
 *   interfaces                                  the list
 *   interfaces call IID NAME METHOD [A0 [A1]]   opens instance (or class)
 *                                               NAME of IID, calls method
 *                                               number METHOD, prints the
 *                                               result, closes
 */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

/* interface: ID, version, first definer, methods; class: indented two,
 * version, module; instance: indented four, module, holders. */
static int list(void)
{
    struct sys_interface_record r[8];
    u_put("NAME                          VERSION  MODULE        METHODS / HELD\n");
    for (size_t start = 0;; start += 8) {
        long n = interface_list(r, start, 8);
        if (n < 0) {
            u_put("interfaces: interface_list failed\n");
            return 1;
        }
        for (long i = 0; i < n; i++) {
            if (r[i].kind == SYS_IFACE_INTERFACE) {
                u_put_column(r[i].iid, 29);
                u_put_version(r[i].version);
                u_put("      ");
                u_put_column(r[i].module, 13);
                u_put_number(r[i].methods);
                u_put(" methods\n");
            } else if (r[i].kind == SYS_IFACE_CLASS) {
                u_put("  class ");
                u_put_column(r[i].clsid, 21);
                u_put_version(r[i].version);
                u_put("      ");
                u_put(r[i].module);
                u_put("\n");
            } else {
                u_put("    instance ");
                u_put_column(r[i].name, 25);
                u_put_column(r[i].module, 13);
                u_put_number(r[i].holders);
                u_put(" held\n");
            }
        }
        if (n < 8)
            return 0;
    }
}

static int call(int argc, char **argv)
{
    uint64_t method, a[2] = { 0, 0 };
    if (argc < 5 || argc > 7 || !u_parse_number(argv[4], &method) ||
        (argc > 5 && !u_parse_number(argv[5], &a[0])) ||
        (argc > 6 && !u_parse_number(argv[6], &a[1]))) {
        u_put("usage: interfaces call IID NAME METHOD [A0 [A1]]  (numbers in decimal)\n");
        return 2;
    }
    long handle = iface_open(argv[2], argv[3]);
    if (handle < 0) {
        u_put("interfaces: no instance or class ");
        u_put(argv[3]);
        u_put(" of ");
        u_put(argv[2]);
        u_put("\n");
        return 1;
    }
    long result = iface_call(handle, argv[2], (long)method, (long)a[0], (long)a[1]);
    iface_close(handle);
    if (result == -SYS_EINVAL || result == -SYS_ENOTSUP) {
        u_put(result == -SYS_EINVAL ? "interfaces: no method "
                                    : "interfaces: not user-callable: method ");
        u_put(argv[4]);
        u_put("\n");
        return 1;
    }
    u_put_number((uint64_t)result);
    u_put("\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && u_streq(argv[1], "call"))
        return call(argc, argv);
    if (argc != 1) {
        u_put("usage: interfaces | interfaces call IID NAME METHOD [A0 [A1]]\n");
        return 2;
    }
    return list();
}
