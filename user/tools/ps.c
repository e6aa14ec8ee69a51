/* ps — the processes: pid, parent, state, threads, pages of its own (4
 * KiB each: image, stacks, touched map memory), name (process_list). */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/lib/ulib.h"

static const char *const states[] = { "running", "zombie", "killed" };

int main(void)
{
    struct sys_process_record records[16];
    u_put("  PID PARENT STATE    THREADS  PAGES NAME\n");
    for (size_t start = 0;; start += 16) {
        long n = process_list(records, start, 16);
        if (n < 0) {
            u_put("ps: process_list failed\n");
            return 1;
        }
        for (long i = 0; i < n; i++) {
            const struct sys_process_record *r = &records[i];
            u_put_number_column(r->pid, 5);
            u_put_number_column(r->parent, 6);
            u_put_column(r->state < 3 ? states[r->state] : "?", 8);
            u_put_number_column(r->threads, 7);
            u_put_number_column(r->pages, 6);
            u_put(r->name);
            u_put("\n");
        }
        if (n < 16)
            return 0;
    }
}
