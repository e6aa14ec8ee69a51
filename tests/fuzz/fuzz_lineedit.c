/* fuzz_lineedit.c — libFuzzer harness for the shell's line editor: any
 * bytes from the terminal keep its invariants (lineedit.c's header) and
 * never write past the output capacity. Seeds: tests/fuzz/corpus/lineedit. */
#include "user/shell/lineedit.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lineedit e;
    lineedit_init(&e);
    /* The first byte picks an output capacity, small ones included. */
    size_t capacity = size ? (size_t)(data[0] % (LINEEDIT_OUT_MAX + 1)) : LINEEDIT_OUT_MAX;
    char *out = malloc(capacity ? capacity : 1);
    for (size_t i = 1; i < size; i++) {
        size_t length = 0;
        enum lineedit_event ev = lineedit_feed(&e, data[i], out, capacity, &length);
        if (length > capacity || e.cursor > e.length || e.length >= LINEEDIT_MAX ||
            e.line[e.length] != 0 || e.history_count > LINEEDIT_HISTORY ||
            e.browsing > e.history_count)
            abort();
        if (ev == LINEEDIT_LINE && strlen(lineedit_line(&e)) != e.length)
            abort();
    }
    free(out);
    return 0;
}
