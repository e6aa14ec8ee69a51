/* write_bytes — one write of every kind of byte the console must pass
 * through: a NUL inside the line, and a 256-byte line (the longest that
 * goes out unsplit). 0 when write reports every byte written. */
#include "sys.h"

int main(void)
{
    static const char nul[] = "bytes: a\0b end\n";
    char line[256];
    for (unsigned i = 0; i < sizeof(line) - 1; i++)
        line[i] = (char)('a' + i % 26);
    line[sizeof(line) - 1] = '\n';
    long a = write(nul, sizeof(nul) - 1), b = write(line, sizeof(line));
    return a == (long)sizeof(nul) - 1 && b == (long)sizeof(line) ? 0 : 1;
}
