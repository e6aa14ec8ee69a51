/* fuzz — the gate fuzzed from inside: threads that call every gate
 * function (and every module export bound as a ghost function: counter's,
 * which it imports) through
 * its ghost stub with generated arguments — valid, boundary and hostile
 * pointers (kernel half, ghost pages, its own code, unmapped, wrapping,
 * non-canonical), handles, lengths, pids, timeouts — guided by the
 * kernel's coverage of each call (kcov, SYS_KCOV): a call that reached
 * kernel code no call reached before is kept and mutated later.
 *
 *   fuzz SECONDS SEED [THREADS [ONLY]]   (SEED 0: from the clock; THREADS
 *                                        4; ONLY: ghost indices to call,
 *                                        "27,28", to narrow a finding)
 *   fuzz exit STATUS              helper: exit(STATUS)
 * With other arguments (or none: a spawn the fuzzer itself made with
 * arguments it generated) it exits 2 at once.
 *
 * It prints its seed first ("fuzz: seed S"), so a run replays with
 * `fuzz SECONDS S` (each thread's choices follow from the seed; how the
 * threads interleave does not). It ends with one line:
 *   fuzz: N calls in S s, P kernel PCs, K kept, F findings
 * and exits 0, or 1 when a call broke a promise the fuzzer can check from
 * user mode (a finding: printed as "fuzz: finding: ..." with the call).
 * The kernel's own checks come after (the monitor's `selfcheck`).
 *
 * Calls that would end or stall the fuzzer are shaped, not skipped: exit
 * runs in a child (`fuzz exit`), thread_exit in a helper thread, read only
 * with arguments it refuses, sleep/futex_wait/receive with short
 * timeouts, wait only on its own children, kill never on itself, spawn
 * only of small programs, write only of a fixed text or refused buffers. */
#include "sys.h"
#include <wisp/ghost.h>
#include <wisp/mutex.h>
#include <stdbool.h>

#define MAX_THREADS 8
#define PC_SET      (1u << 16) /* kernel PCs seen: an open-addressing set */
#define KCOV_PCS    8192
#define CORPUS      512
#define ARGS        6
#define MS          1000000ul

typedef long (*gate_fn)(long, long, long, long, long, long);

struct call {
    unsigned index; /* ghost index: its stub is GHOST_STUBS_VA + 16 index */
    long args[ARGS];
};

/* In the image (bss), not map()'d: no generated pointer reaches them, so no
 * call the fuzzer makes can write over its own coverage. */
static uint64_t pc_set[PC_SET];
static unsigned long pcs_covered; /* atomic */
static unsigned long calls_made;  /* atomic */
static unsigned long findings;    /* atomic */
static struct call corpus[CORPUS];
static unsigned corpus_count;
static struct wisp_mutex corpus_lock = WISP_MUTEX_INIT;
static struct wisp_mutex print_lock = WISP_MUTEX_INIT;
static uint64_t run_until, seed;
static long my_pid;
static unsigned ghost_count;                 /* indices 0..ghost_count-1 are published */
static unsigned only[GHOST_MAX], only_count; /* ONLY: the indices to call */

/* ---- printing ------------------------------------------------------------ */

static void put(const char *s) { write(s, raw_strlen(s)); }

static void put_number(uint64_t n)
{
    char digits[24];
    int k = 0;
    do
        digits[k++] = (char)('0' + n % 10);
    while (n /= 10);
    char out[24];
    for (int i = 0; i < k; i++)
        out[i] = digits[k - 1 - i];
    write(out, (size_t)k);
}

static void put_hex(uint64_t n)
{
    char out[18] = "0x";
    for (int i = 0; i < 16; i++)
        out[2 + i] = "0123456789abcdef"[(n >> (60 - 4 * i)) & 15];
    write(out, sizeof(out));
}

int main(int argc, char **argv);

/* ---- random numbers and arguments ------------------------------------------ */

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

struct worker {
    uint64_t random;
    unsigned id;
    uint64_t pcs[KCOV_PCS]; /* kcov's copy */
    long children[8];
    unsigned child_count;
    void *mapped[8];
    long mapped_len[8];
    unsigned mapped_count;
    long helpers[4];
    unsigned helper_count;
    char exit_status[4];
    const char *exit_argv[3];
    /* buffers it passes: the kernel may write up to 64 records (10 KiB)
     * from an offset below 4 KiB */
    char scratch[16384] __attribute__((aligned(64)));
};

static uint64_t pick(struct worker *w, uint64_t n) { return n ? next_random(&w->random) % n : 0; }

/* Integers at the edges and in between. */
static long integer(struct worker *w)
{
    /* clang-format off */
    static const long edges[] = {
        0, 1, -1, 2, 7, 8, 16, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
        1l << 32, 1l << 40, 1l << 47, 1l << 62, -4096, 0x7fffffffffffffff, (long)(1ul << 63),
    };
    /* clang-format on */
    switch (pick(w, 4)) {
    case 0:
        return edges[pick(w, sizeof(edges) / sizeof(edges[0]))];
    case 1:
        return (long)pick(w, 64);
    case 2:
        return (long)next_random(&w->random);
    default:
        return (long)(1ul << pick(w, 64)) + (long)pick(w, 3) - 1;
    }
}

/* Pointers: the caller's own memory and every kind of hostile one. */
static long pointer(struct worker *w)
{
    switch (pick(w, 14)) {
    case 0:
        return 0;
    case 1:
        return (long)0xffffffff80000000ul; /* kernel text */
    case 2:
        return (long)0xffff800000001000ul; /* the direct map */
    case 3:
        return (long)(GHOST_TABLE_VA + pick(w, GHOST_PAGES * 4096)); /* read-only for users */
    case 4:
        return (long)(uint64_t)(void *)main + (long)pick(w, 256); /* own code */
    case 5:
        return (long)0x0000700000000000ul + (long)pick(w, 1 << 20); /* unmapped */
    case 6:
        return (long)(0x00007ffffffff000ul - pick(w, 16)); /* at USER_TOP: wraps over it */
    case 7:
        return (long)0x0000800000000000ul; /* non-canonical */
    case 8:
        return (long)(0xfffffffffffffff0ul + pick(w, 16)); /* wraps around 2^64 */
    case 9:
        if (w->mapped_count) /* map()'d, maybe untouched */
            return (long)w->mapped[pick(w, w->mapped_count)] + (long)pick(w, 8192);
        /* fall through */
    default:
        return (long)(w->scratch + pick(w, 4096)); /* its own, writable */
    }
}

static long argument(struct worker *w) { return pick(w, 2) ? pointer(w) : integer(w); }

/* ---- shaping the calls that would end or stall the fuzzer ------------------- */

static int helper_fn(void *arg)
{
    long how = (long)arg;
    if (how & 1)
        thread_exit((int)(how >> 1));
    return (int)how;
}

static const char *const programs[] = { "exit42", "sleeper" };

static struct worker workers[MAX_THREADS];

static void shape(struct worker *w, struct call *c)
{
    long *a = c->args;
    switch (c->index) {
    case SYS_EXIT: { /* in a child: fuzz exit STATUS */
        uint64_t n = (uint64_t)a[0] & 0xff;
        w->exit_status[0] = (char)('0' + n / 100), w->exit_status[1] = (char)('0' + n / 10 % 10);
        w->exit_status[2] = (char)('0' + n % 10), w->exit_status[3] = 0;
        w->exit_argv[0] = "fuzz", w->exit_argv[1] = "exit", w->exit_argv[2] = w->exit_status;
        c->index = SYS_SPAWN;
        a[0] = (long)"fuzz", a[1] = 4, a[2] = (long)w->exit_argv, a[3] = 3;
        break;
    }
    case SYS_SPAWN:
    case SYS_SPAWN_ON: {
        long *name = c->index == SYS_SPAWN ? &a[0] : &a[1];
        if (pick(w, 3)) {
            const char *p = programs[pick(w, 2)]; /* not fuzz itself: its exit helper only */
            name[0] = (long)p, name[1] = (long)raw_strlen(p);
            if (sys_streq(p, "sleeper")) { /* "sleeper 1": 1 ms */
                static const char *const argv[] = { "sleeper", "1" };
                name[2] = (long)argv, name[3] = 2;
            } else if (pick(w, 2)) {
                name[3] = 0;
            }
        }
        if (c->index == SYS_SPAWN_ON && pick(w, 2))
            a[0] = (long)pick(w, 6) - 1;
        break;
    }
    case SYS_WAIT: /* only its own children, which end soon */
        a[0] = w->child_count ? w->children[pick(w, w->child_count)] : integer(w);
        if (w->child_count == 0 && a[0] > 0)
            a[0] = -a[0];
        break;
    case SYS_SLEEP:
        a[0] = (long)pick(w, 2 * MS);
        break;
    case SYS_READ: /* refused before it blocks */
        if (pick(w, 2))
            a[1] = -(long)pick(w, 100) - 1;
        else
            a[0] = (long)0xffffffff80000000ul, a[1] = 1 + (long)pick(w, 100);
        break;
    case SYS_WRITE:
        if (pick(w, 4) == 0)
            a[0] = (long)"", a[1] = 0;
        else if (pick(w, 2))
            a[0] = (long)0xffffffff80000000ul;
        else
            a[1] = 64 * 1024 + 1 + (long)pick(w, 1 << 20); /* over the limit */
        break;
    case SYS_KILL:
        if (a[0] == my_pid)
            a[0] = -a[0];
        break;
    case SYS_THREAD_CREATE:
        if (w->helper_count < 4 && pick(w, 2)) {
            a[0] = (long)(void *)helper_fn;
            a[1] = (long)pick(w, 512);
        } else { /* refused: not in the user half */
            a[0] = pick(w, 2) ? (long)0xffffffff80000000ul : (long)0x0000800000000000ul;
        }
        break;
    case SYS_THREAD_EXIT: /* in a helper thread */
        c->index = SYS_THREAD_CREATE;
        a[0] = (long)(void *)helper_fn, a[1] = (long)(pick(w, 256) << 1 | 1);
        break;
    case SYS_THREAD_JOIN: /* only its helpers, or no thread at all (a worker
                           * joining another could wait for it forever) */
        if (w->helper_count)
            a[0] = w->helpers[pick(w, w->helper_count)];
        else
            a[0] = pick(w, 2) ? 1000 + (long)pick(w, 1ul << 40) : -(long)pick(w, 1ul << 40);
        break;
    case SYS_FUTEX_WAIT:
        a[2] = 1 + (long)pick(w, MS);
        break;
    case SYS_RECEIVE:
        a[1] = 1 + (long)pick(w, MS);
        break;
    case SYS_AUDIT: /* its report floods the console: rarely */
        if (pick(w, 4096))
            c->index = SYS_NULL;
        break;
    case SYS_KCOV: /* not its own coverage off: other modes, bad buffers */
        if (a[0] == SYS_KCOV_OFF || a[0] == SYS_KCOV_ON)
            a[0] = SYS_KCOV_TAKE;
        if (a[0] == SYS_KCOV_TAKE)
            a[1] = pointer(w), a[2] = integer(w) % 64;
        break;
    case SYS_CONSOLE_FOREGROUND:
        break;
    case SYS_UNMAP:
        if (w->mapped_count && pick(w, 2)) {
            unsigned k = (unsigned)pick(w, w->mapped_count);
            a[0] = (long)w->mapped[k], a[1] = w->mapped_len[k];
        }
        break;
    case SYS_MAP:
        if (pick(w, 2))
            a[0] = (long)pick(w, 1 << 22);
        break;
    }
}

/* Bookkeeping after a shaped call: children to collect, helpers to join,
 * mappings to unmap later. */
static void note(struct worker *w, const struct call *c, long result)
{
    if ((c->index == SYS_SPAWN || c->index == SYS_SPAWN_ON) && result > 0) {
        if (w->child_count < 8)
            w->children[w->child_count++] = result;
        else
            wait(result, 0);
    } else if (c->index == SYS_WAIT && result == 0) {
        for (unsigned i = 0; i < w->child_count; i++)
            if (w->children[i] == c->args[0])
                w->children[i] = w->children[--w->child_count];
    } else if (c->index == SYS_THREAD_CREATE && result > 0) {
        w->helpers[w->helper_count++] = result;
    } else if (c->index == SYS_THREAD_JOIN && result >= 0) {
        for (unsigned i = 0; i < w->helper_count; i++)
            if (w->helpers[i] == c->args[0])
                w->helpers[i] = w->helpers[--w->helper_count];
    } else if (c->index == SYS_MAP && result > 0 && w->mapped_count < 8) {
        w->mapped[w->mapped_count] = (void *)result;
        w->mapped_len[w->mapped_count++] = c->args[0];
    } else if (c->index == SYS_UNMAP && result == 0) {
        for (unsigned i = 0; i < w->mapped_count; i++)
            if ((long)w->mapped[i] == c->args[0]) {
                w->mapped[i] = w->mapped[--w->mapped_count];
                w->mapped_len[i] = w->mapped_len[w->mapped_count];
            }
    }
}

/* ---- what a call may return ------------------------------------------------ */

static void finding(const struct call *c, long result, const char *what)
{
    __atomic_fetch_add(&findings, 1, __ATOMIC_RELAXED);
    wisp_mutex_lock(&print_lock);
    put("fuzz: finding: ");
    put(what);
    put(": call ");
    put_number(c->index);
    put("(");
    for (int i = 0; i < ARGS; i++) {
        put_hex((uint64_t)c->args[i]);
        put(i + 1 < ARGS ? ", " : ") = ");
    }
    put_hex((uint64_t)result);
    put("\n");
    wisp_mutex_unlock(&print_lock);
}

/* Promises a program can check: a result is a value or a small negative
 * error — never a kernel address (those are negative as a long) nor any
 * other large negative; getpid holds still. */
static void check(const struct call *c, long result)
{
    if (c->index <= SYS_COUNT && result < -4095)
        finding(c, result, "neither a value nor an error (a kernel address?)");
    if (c->index == SYS_GETPID && result != my_pid)
        finding(c, result, "getpid changed");
}

/* ---- coverage ------------------------------------------------------------- */

/* Adds the PCs of the last call: how many were new. */
static unsigned cover(struct worker *w)
{
    long n = kcov(SYS_KCOV_TAKE, w->pcs, KCOV_PCS);
    unsigned fresh = 0;
    for (long i = 0; i < n; i++) {
        uint64_t pc = w->pcs[i];
        if (pc < 0xffffffff80000000ul) { /* kcov hands out kernel text only */
            struct call none = { SYS_KCOV, { SYS_KCOV_TAKE, (long)w->pcs, KCOV_PCS } };
            finding(&none, (long)pc, "kcov returned a PC outside the kernel text");
            continue;
        }
        uint64_t h = (pc * 0x9e3779b97f4a7c15ull) >> 48;
        for (unsigned probe = 0; probe < 64; probe++, h = (h + 1) & (PC_SET - 1)) {
            uint64_t seen = __atomic_load_n(&pc_set[h], __ATOMIC_RELAXED);
            if (seen == pc)
                break;
            if (!seen) {
                if (__atomic_compare_exchange_n(&pc_set[h], &seen, pc, 0, __ATOMIC_RELAXED,
                                                __ATOMIC_RELAXED)) {
                    fresh++;
                    break;
                }
                if (seen == pc)
                    break;
            }
        }
    }
    if (fresh)
        __atomic_fetch_add(&pcs_covered, fresh, __ATOMIC_RELAXED);
    return fresh;
}

static void keep(const struct call *c)
{
    wisp_mutex_lock(&corpus_lock);
    corpus[corpus_count++ % CORPUS] = *c;
    wisp_mutex_unlock(&corpus_lock);
}

static void generate(struct worker *w, struct call *c)
{
    unsigned kept = __atomic_load_n(&corpus_count, __ATOMIC_RELAXED);
    if (kept && pick(w, 2)) { /* a kept call, one argument changed */
        wisp_mutex_lock(&corpus_lock);
        *c = corpus[pick(w, kept < CORPUS ? kept : CORPUS)];
        wisp_mutex_unlock(&corpus_lock);
        c->args[pick(w, ARGS)] = argument(w);
        return;
    }
    /* every published index, and some past them (-ENOSYS) */
    c->index = only_count ? only[pick(w, only_count)] : (unsigned)pick(w, ghost_count + 4);
    for (int i = 0; i < ARGS; i++)
        c->args[i] = argument(w);
}

static gate_fn stub(unsigned index) { return (gate_fn)(GHOST_STUBS_VA + 16ul * index); }

static int fuzz_thread(void *arg)
{
    struct worker *w = arg;
    bool covered = kcov(SYS_KCOV_ON, 0, KCOV_PCS) == 0;
    unsigned long calls = 0;
    while (clock_ns() < run_until) {
        struct call c;
        generate(w, &c);
        shape(w, &c);
        if (covered)
            kcov(SYS_KCOV_TAKE, 0, 0); /* empty the buffer */
        long result =
            stub(c.index)(c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
        calls++;
        if (covered && cover(w))
            keep(&c);
        note(w, &c, result);
        check(&c, result);
    }
    for (unsigned i = 0; i < w->helper_count; i++)
        thread_join(w->helpers[i]);
    for (unsigned i = 0; i < w->child_count; i++)
        wait(w->children[i], 0);
    for (unsigned i = 0; i < w->mapped_count; i++)
        unmap(w->mapped[i], (size_t)w->mapped_len[i]);
    __atomic_fetch_add(&calls_made, calls, __ATOMIC_RELAXED);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && sys_streq(argv[1], "exit"))
        exit((int)sys_number(argv[2], 0));
    if (argc < 3 || argv[1][0] < '1' || argv[1][0] > '9' || argv[2][0] < '0' || argv[2][0] > '9')
        return 2;
    uint64_t seconds = sys_number(argv[1], 10);
    seed = sys_number(argv[2], 0);
    if (!seed)
        seed = sys_rdtsc() % 1000000000 + 1;
    unsigned threads = (unsigned)sys_number(argc > 3 ? argv[3] : NULL, 4);
    if (threads < 1 || threads > MAX_THREADS)
        threads = 4;
    for (const char *p = argc > 4 ? argv[4] : ""; *p && only_count < GHOST_MAX; p++)
        if (*p >= '0' && *p <= '9' && (p == argv[4] || p[-1] == ','))
            only[only_count++] = (unsigned)sys_number(p, 0) % GHOST_MAX;
    my_pid = getpid();
    /* counter's exports are ghost functions once a program binds them (this
     * one, at exec): from here they are fuzzed with the rest */
    uint32_t counter = counter_version();
    counter_add(counter_read() & 0); /* binds the other two */
    const uint64_t *table = (const uint64_t *)GHOST_TABLE_VA;
    while (ghost_count < GHOST_MAX && table[ghost_count])
        ghost_count++;
    put("fuzz: seed ");
    put_number(seed);
    put(", ");
    put_number(threads);
    put(" threads, ");
    put_number(seconds);
    put(" s, ");
    put_number(ghost_count);
    put(" ghost functions (counter ");
    put_number(counter);
    put(")\n");
    uint64_t start = clock_ns();
    run_until = start + seconds * 1000 * MS;
    long tids[MAX_THREADS];
    for (unsigned i = 0; i < threads; i++) {
        workers[i].id = i;
        workers[i].random = seed * 0x9e3779b97f4a7c15ull + i + 1;
        tids[i] = thread_create(fuzz_thread, &workers[i]);
    }
    for (unsigned i = 0; i < threads; i++)
        if (tids[i] > 0)
            thread_join(tids[i]);
    uint64_t ms = (clock_ns() - start) / MS;
    put("fuzz: ");
    put_number(calls_made);
    put(" calls in ");
    put_number(ms / 1000);
    put(" s, ");
    put_number(pcs_covered);
    put(" kernel PCs, ");
    put_number(corpus_count);
    put(" kept, ");
    put_number(findings);
    put(" findings\n");
    return findings ? 1 : 0;
}
