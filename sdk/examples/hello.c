/* hello — the SDK's first example: greets each of its arguments.
 *
 *   spawn("hello", 5, (const char *[]){ "hello", "ghost", "world", 0 }, 3)
 *
 * writes "hello, ghost!" and "hello, world!" (or "hello, world!" alone
 * with no argument) and exits with the number of greetings. write and exit
 * are ghost functions (<ghost.h>): names the program leaves undefined,
 * bound by the kernel at exec. */
#include <ghost.h>

static size_t length(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void greet(const char *who)
{
    write("hello, ", 7);
    write(who, length(who));
    write("!\n", 2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        greet("world");
    for (int i = 1; i < argc; i++)
        greet(argv[i]);
    return argc < 2 ? 1 : argc - 1;
}
