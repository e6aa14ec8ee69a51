/* count — the SDK's second example: calls counter_add, an export of the
 * counter module, in a loop. counter_add runs in the kernel through the
 * gate and its module's dispatch thunk, so a live update of counter
 * reaches this loop on its next call, with no rebinding.
 *
 *   count [N]   adds 1 N times (default 1000); prints the versions of
 *               counter it saw and the counter's value at its end; exits
 *               with the number of version changes it observed (0 when no
 *               update happened meanwhile). */
#include <ghost.h>

static uint64_t number(const char *s)
{
    uint64_t n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (uint64_t)(*s++ - '0');
    return n;
}

static void print_number(uint64_t n)
{
    char text[24];
    int i = sizeof(text);
    text[--i] = '\n';
    do
        text[--i] = (char)('0' + n % 10);
    while ((n /= 10) && i > 0);
    write(text + i, sizeof(text) - (size_t)i);
}

int main(int argc, char **argv)
{
    uint64_t times = argc > 1 ? number(argv[1]) : 1000;
    uint32_t version = counter_version();
    int changes = 0;
    write("count: counter version ", 23);
    print_number(version);
    for (uint64_t i = 0; i < times; i++) {
        counter_add(1);
        uint32_t now = counter_version();
        if (now != version) {
            changes++;
            version = now;
            write("count: now counter version ", 27);
            print_number(version);
        }
    }
    write("count: counter is ", 18);
    print_number(counter_read());
    return changes;
}
