/* messages — send, receive, spawn_on and cpu, argv[1] says what:
 *   check          the mailbox's rules, on the process itself: 0, or the
 *                  number of the first check that failed
 *   pingpong N     a child `messages pong` on this CPU (spawn_on, cpu) and
 *                  N round trips with it, each reply checked: 0 or the
 *                  number of what went wrong
 *   pong           answers each message with value + 1 to its sender;
 *                  ends at value 0; its first message (to argv[2]) says
 *                  the CPU it runs on
 *   threads T N    a child `messages sink T` receives on T threads while
 *                  this sends it 1..N: 0 when each arrived exactly once
 *   sink T         T threads receive until each gets a 0: 0 when their
 *                  messages add up to 1..argv[3]
 *   blocked        tells its parent (argv[2]) it is about to receive, then
 *                  receives for ever: only kill ends it
 *   killwait       a child `messages blocked`; once it said so, kills it:
 *                  0 when it ends killed (status 137)
 *   bench K        cycles per switch, in hundredths, of two processes
 *                  ping-ponging PINGPONGS round trips (K "same": the child
 *                  on this CPU), or per message with the child on another
 *                  CPU (K "cross": CROSS_PINGPONGS round trips, a Wisp-only
 *                  figure, each wake-up an IPI), the median of ROUNDS
 *                  rounds: the exit status */
#include "sys.h"

#define PINGPONGS       5000 /* round trips per round: lbench's PINGPONGS */
#define CROSS_PINGPONGS 1000
#define ROUNDS          5
#define STOP            0

/* Formats n into text (at least 21 bytes): text. */
static const char *decimal(uint64_t n, char *text)
{
    char digits[21];
    int count = 0;
    do
        digits[count++] = (char)('0' + n % 10);
    while ((n /= 10) && count < 20);
    int at = 0;
    while (count > 0)
        text[at++] = digits[--count];
    text[at] = '\0';
    return text;
}

/* messages ARGS... on CPU cpu (-1: any): its pid. */
static long start(long cpu, const char *a, const char *b, const char *c)
{
    const char *argv[] = { "messages", a, b, c };
    size_t argc = c ? 4 : b ? 3 : 2;
    return spawn_on(cpu, "messages", 8, argv, argc);
}

static int status_of(long pid)
{
    int status = -1;
    return wait(pid, &status) == 0 ? status : -1;
}

/* Sends until the mailbox takes it (a full one says -EAGAIN). */
static long send_surely(long pid, uint64_t value)
{
    long r;
    while ((r = send(pid, value)) == -SYS_EAGAIN)
        yield();
    return r;
}

static int check(void)
{
    long self = getpid();
    struct sys_message m;
    int n = 0;
    for (uint64_t i = 0; i < SYS_MAILBOX_SLOTS; i++)
        if (++n, send(self, 100 + i) != 0)
            return n;
    if (++n, send(self, 1) != -SYS_EAGAIN) /* full */
        return n;
    for (uint64_t i = 0; i < SYS_MAILBOX_SLOTS; i++)
        if (++n, receive(&m, 0) != 0 || m.from != self || m.value != 100 + i) /* in order */
            return n;
    uint64_t begin = clock_ns();
    if (++n, receive(&m, 3 * 1000 * 1000) != -SYS_ETIMEDOUT) /* empty */
        return n;
    if (++n, clock_ns() - begin < 3 * 1000 * 1000)
        return n;
    if (++n, send(self, 7) != 0)
        return n;
    if (++n, receive((struct sys_message *)0xffffffff80000000ul, 0) != -SYS_EFAULT)
        return n;
    if (++n, receive((struct sys_message *)0x0000700000000000ul, 0) != -SYS_EFAULT)
        return n;
    if (++n, receive(&m, 0) != 0 || m.value != 7) /* still there after the bad ones */
        return n;
    if (++n, send(0, 1) != -SYS_ESRCH || send(-1, 1) != -SYS_ESRCH ||
                 send(1L << 40, 1) != -SYS_ESRCH || send(999999, 1) != -SYS_ESRCH)
        return n;
    long me = cpu();
    if (++n, me < 0 || me >= 64)
        return n;
    const char *argv[] = { "exit42" };
    if (++n, spawn_on(-2, "exit42", 6, argv, 1) != -SYS_EINVAL ||
                 spawn_on(4096, "exit42", 6, argv, 1) != -SYS_EINVAL)
        return n;
    long pid = spawn_on(me, "exit42", 6, argv, 1);
    if (++n, pid <= 0 || status_of(pid) != 42)
        return n;
    return 0;
}

static int pingpong(uint64_t rounds)
{
    char me[21];
    long self_cpu = cpu();
    long child = start(self_cpu, "pong", decimal((uint64_t)getpid(), me), NULL);
    struct sys_message m;
    if (child <= 0)
        return 1;
    if (receive(&m, 0) != 0 || m.from != (uint32_t)child)
        return 2;
    if ((long)m.value != self_cpu) /* spawn_on placed it on our CPU */
        return 3;
    for (uint64_t i = 1; i <= rounds; i++) {
        if (send(child, i) != 0)
            return 4;
        if (receive(&m, 0) != 0 || m.from != (uint32_t)child || m.value != i + 1)
            return 5;
    }
    if (send(child, STOP) != 0 || status_of(child) != 0)
        return 6;
    return 0;
}

static int pong(long parent)
{
    struct sys_message m;
    if (send(parent, (uint64_t)cpu()) != 0)
        return 1;
    while (receive(&m, 0) == 0 && m.value != STOP)
        if (send(m.from, m.value + 1) != 0)
            return 2;
    return 0;
}

static uint64_t sink_total, sink_count;

static int sink_loop(void *unused)
{
    (void)unused;
    struct sys_message m;
    while (receive(&m, 0) == 0 && m.value != STOP) {
        __atomic_fetch_add(&sink_total, m.value, __ATOMIC_RELAXED);
        __atomic_fetch_add(&sink_count, 1, __ATOMIC_RELAXED);
    }
    return 0;
}

static int sink(uint64_t threads, uint64_t expected)
{
    long tids[8];
    if (threads < 1 || threads > 8)
        return 1;
    for (uint64_t i = 1; i < threads; i++)
        if ((tids[i] = thread_create(sink_loop, 0)) <= 0)
            return 2;
    sink_loop(0);
    for (uint64_t i = 1; i < threads; i++)
        thread_join(tids[i]);
    return sink_count == expected && sink_total == expected * (expected + 1) / 2 ? 0 : 3;
}

static int threads(const char *t, uint64_t n)
{
    char total[21];
    long child = start(-1, "sink", t, decimal(n, total));
    if (child <= 0)
        return 1;
    for (uint64_t i = 1; i <= n; i++)
        if (send_surely(child, i) != 0)
            return 2;
    for (uint64_t i = 0; i < sys_number(t, 0); i++)
        if (send_surely(child, STOP) != 0)
            return 3;
    int status = status_of(child);
    return status ? 10 + status : 0;
}

static int killwait(void)
{
    char me[21];
    long child = start(-1, "blocked", decimal((uint64_t)getpid(), me), NULL);
    struct sys_message m;
    if (child <= 0)
        return 1;
    if (receive(&m, 0) != 0 || m.from != (uint32_t)child)
        return 2;
    sleep(20 * 1000 * 1000); /* it is asleep in receive by now */
    if (kill(child) != 0)
        return 3;
    return status_of(child) == SYS_EXIT_KILLED ? 0 : 4;
}

/* Hundredths of a cycle per switch; -1 when the child did not start. */
static int bench(const char *kind)
{
    char me[21];
    long here = cpu();
    long there = sys_streq(kind, "cross") ? (here == 0 ? 1 : 0) : here;
    long child = start(there, "pong", decimal((uint64_t)getpid(), me), NULL);
    struct sys_message m;
    if (child <= 0 || receive(&m, 0) != 0)
        return -1;
    uint64_t rounds[ROUNDS], trips = here == there ? PINGPONGS : CROSS_PINGPONGS;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t begin = sys_rdtsc();
        for (uint64_t i = 1; i <= trips; i++)
            if (send(child, i) != 0 || receive(&m, 0) != 0)
                return -1;
        rounds[r] = (sys_rdtsc() - begin) * 100 / (2 * trips);
    }
    send(child, STOP);
    status_of(child);
    for (int i = 1; i < ROUNDS; i++) /* insertion sort: the median */
        for (int k = i; k > 0 && rounds[k] < rounds[k - 1]; k--) {
            uint64_t t = rounds[k];
            rounds[k] = rounds[k - 1];
            rounds[k - 1] = t;
        }
    return (int)rounds[ROUNDS / 2];
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    const char *a = argc > 2 ? argv[2] : NULL, *b = argc > 3 ? argv[3] : NULL;
    if (sys_streq(what, "check"))
        return check();
    if (sys_streq(what, "pingpong"))
        return pingpong(sys_number(a, 0));
    if (sys_streq(what, "pong"))
        return pong((long)sys_number(a, 0));
    if (sys_streq(what, "threads"))
        return threads(a, sys_number(b, 0));
    if (sys_streq(what, "sink"))
        return sink(sys_number(a, 0), sys_number(b, 0));
    if (sys_streq(what, "bench"))
        return bench(a ? a : "same");
    if (sys_streq(what, "killwait"))
        return killwait();
    if (sys_streq(what, "blocked")) {
        struct sys_message m;
        if (send((long)sys_number(a, 0), 1) != 0)
            return 1;
        receive(&m, 0);
        return 2; /* a message came: blocked wants none */
    }
    return 100; /* no such mode */
}
