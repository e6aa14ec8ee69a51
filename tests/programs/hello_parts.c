/* hello_parts — writes one line through the gate; 0 when the whole line went. */
#include "sys.h"

static const char *const parts[] = { "hello ", "from ring 3 ", "ok\n" }; /* RELATIVE relocations */

int main(void)
{
    long total = 0, expected = 0;
    for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        expected += (long)raw_strlen(parts[i]);
        total += write(parts[i], raw_strlen(parts[i]));
    }
    return total == expected ? 0 : 1;
}
