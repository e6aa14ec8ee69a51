/* args — prints its arguments and exits with argc * 10 + the length of its
 * last argument, or 1 when argv is not NULL-terminated. */
#include "sys.h"

int main(int argc, char **argv)
{
    if (argv[argc] != NULL)
        return 1;
    write("args:", 5);
    for (int i = 0; i < argc; i++) {
        write(" ", 1);
        write(argv[i], raw_strlen(argv[i]));
    }
    write("\n", 1);
    return argc * 10 + (int)raw_strlen(argv[argc - 1]);
}
