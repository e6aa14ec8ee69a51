/* hello.c — the small program lbench spawns, built twice: statically and
 * dynamically linked (ld.so + libc.so.6). With "wait" it tells its parent
 * it is up (a byte on fd 3) and sleeps until killed: lbench counts the
 * memory such idle copies take. */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "wait") == 0) {
        if (write(3, "r", 1) != 1)
            return 1;
        for (;;)
            pause();
    }
    return 0;
}
