/* mem — memory figures: physical pages, the kernel heap, the module area,
 * the pages programs touched of what map gave them, processes
 * (memory_stats). */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

static void line(const char *label, uint64_t value, const char *unit)
{
    u_put_column(label, 16);
    u_put_number(value);
    u_put(unit);
    u_put("\n");
}

int main(void)
{
    struct sys_memory_record r;
    if (memory_stats(&r) != 0) {
        u_put("mem: memory_stats failed\n");
        return 1;
    }
    uint64_t kib = r.page_size / 1024;
    line("total:", r.total_pages * kib, " KiB");
    line("free:", r.free_pages * kib, " KiB");
    line("used:", (r.total_pages - r.free_pages) * kib, " KiB");
    line("heap in use:", r.heap_bytes, " bytes");
    line("heap runs:", r.heap_large_pages * kib, " KiB");
    line("module area:", r.module_pages * kib, " KiB");
    line("mapped:", r.mapped_pages * kib, " KiB");
    line("processes:", r.processes, "");
    return 0;
}
