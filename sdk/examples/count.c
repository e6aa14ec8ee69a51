/* count — the SDK's second example: calls counter_add, an export of the
 * counter module, in a loop. counter_add runs in the kernel through the
 * gate and its module's dispatch thunk, so a live update of counter
 * reaches this loop on its next call, with no rebinding.
 *
 *   count [N [T [V]]]  adds 1 N times (default 1000) on each of T threads
 *                  (default 1, at most 8: the first thread and T - 1 more
 *                  from thread_create); with V, each thread then goes on
 *                  adding until it has seen counter version V (at most
 *                  WAIT_V_NS) — so that a test's push lands while it runs,
 *                  however fast the machine. Prints the versions of counter
 *                  each thread saw, how many it added in all and the
 *                  counter's value at its end; exits with the number of
 *                  version changes the threads observed, all together (0
 *                  when no update happened meanwhile; T when one did and
 *                  every thread saw it). */
#include <ghost.h>

static uint64_t number(const char *s)
{
    uint64_t n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (uint64_t)(*s++ - '0');
    return n;
}

/* Prints label and n as one line, in one write: lines from several
 * programs and threads share the console, and one write is never split. */
static void say(const char *label, uint64_t n)
{
    char line[64];
    size_t at = 0;
    while (*label && at < sizeof(line) - 22)
        line[at++] = *label++;
    char digits[20];
    int count = 0;
    do
        digits[count++] = (char)('0' + n % 10);
    while ((n /= 10) && count < (int)sizeof(digits));
    while (count > 0)
        line[at++] = digits[--count];
    line[at++] = '\n';
    write(line, at);
}

#define THREADS_MAX 8
#define WAIT_V_NS   (120ull * 1000000000ull)

static uint64_t times, until_version, started_ns;
static uint64_t added[THREADS_MAX];

/* One thread's loop (slot: its index in added[]): the version changes it
 * saw. */
static int count_loop(void *slot)
{
    uint64_t *mine = &added[(uint64_t)slot];
    uint32_t version = counter_version();
    int changes = 0;
    say("count: counter version ", version);
    for (uint64_t i = 0; i < times || (until_version && version != until_version &&
                                       time() - started_ns < WAIT_V_NS);
         i++) {
        counter_add(1);
        (*mine)++;
        uint32_t now = counter_version();
        if (now != version) {
            changes++;
            version = now;
            say("count: now counter version ", version);
        }
    }
    return changes;
}

int main(int argc, char **argv)
{
    times = argc > 1 ? number(argv[1]) : 1000;
    uint64_t threads = argc > 2 ? number(argv[2]) : 1;
    until_version = argc > 3 ? number(argv[3]) : 0;
    started_ns = time();
    if (threads < 1 || threads > THREADS_MAX)
        threads = threads < 1 ? 1 : THREADS_MAX;
    long tids[THREADS_MAX];
    for (uint64_t i = 1; i < threads; i++)
        tids[i] = thread_create(count_loop, (void *)i);
    int changes = count_loop(0);
    uint64_t total = added[0];
    for (uint64_t i = 1; i < threads; i++)
        if (tids[i] > 0) {
            changes += (int)thread_join(tids[i]);
            total += added[i];
        }
    say("count: added ", total);
    say("count: counter is ", counter_read());
    return changes;
}
