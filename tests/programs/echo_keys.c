/* echo_keys — reads the console a byte at a time and writes back each
 * byte it read, until 'q': exits 0. A program asleep in read (^C must end
 * it at once, not at the next key). */
#include "sys.h"

int main(void)
{
    char c = 0;
    write("echo_keys: reading\n", 19);
    while (read(&c, 1) == 1 && c != 'q')
        write(&c, 1);
    return 0;
}
