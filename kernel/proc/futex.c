/* futex.c — user locks sleep here only when contended: futex_wait and
 * futex_wake, keyed by (address space, user address).
 *
 * A waiter (struct futex_waiter, on its own kernel stack) is on the list of
 * its key's bucket from the moment it has read *addr == expected under the
 * bucket's lock until a waker unlinks it (woken) or it unlinks itself
 * (timeout, kill). Since futex_wake takes the same bucket lock, a wake that
 * follows the user's change of *addr cannot fall between the check and the
 * sleep. bucket->lock protects its list and every waiter's woken; lock
 * order: process_lock, then a bucket lock, then a wait-queue lock.
 *
 * A waiter blocks on its own wait queue, woken by the waker (under the
 * bucket lock: the waiter cannot return, and its stack go, before the
 * waker is done with it) or, with a timeout, by its timer
 * (wait_queue_wait_until: the first scheduler tick at or after the
 * deadline).
 */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/time.h>

#define FUTEX_BUCKETS 64

struct futex_waiter {
    struct futex_waiter *next;
    const struct address_space *space;
    uint64_t addr;
    struct process *process;
    bool woken;
    struct wait_queue wq;
};

struct futex_bucket {
    struct spinlock lock;
    struct futex_waiter *head;
};

static struct futex_bucket buckets[FUTEX_BUCKETS] = {
    [0 ... FUTEX_BUCKETS - 1] = { .lock = SPINLOCK_INIT("futex"), .head = NULL },
};

uint64_t futex_sleeps;

static struct futex_bucket *bucket_of(const struct address_space *space, uint64_t addr)
{
    uint64_t h = (addr >> 2) ^ ((uint64_t)space >> 6);
    h ^= h >> 17;
    return &buckets[h % FUTEX_BUCKETS];
}

/* addr must be 4-byte aligned (-SYS_EINVAL) and in the user half and
 * mapped (-SYS_EFAULT); reads *addr into *value. Bucket lock may be held:
 * user_copy never sleeps (a first touch of a page of map() is paged in
 * without sleeping, under the process's "mappings" lock; any other fault
 * is fixed up). */
static int read_word(uint64_t addr, uint32_t *value)
{
    if (addr & 3)
        return -SYS_EINVAL;
    if (!user_range_ok(addr, sizeof(*value)))
        return -SYS_EFAULT;
    return copy_from_user(value, (const void *)addr, sizeof(*value));
}

static void unlink_waiter(struct futex_bucket *b, struct futex_waiter *w)
{
    for (struct futex_waiter **pos = &b->head; *pos; pos = &(*pos)->next)
        if (*pos == w) {
            *pos = w->next;
            return;
        }
}

static bool waiter_done(void *arg)
{
    struct futex_waiter *w = arg;
    return __atomic_load_n(&w->woken, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&w->process->killed, __ATOMIC_ACQUIRE);
}

/* Sleeps until w is woken, its process killed or deadline passes (0: none). */
static void sleep_on(struct futex_waiter *w, uint64_t deadline)
{
    if (deadline)
        wait_queue_wait_until(&w->wq, waiter_done, w, deadline);
    else
        wait_queue_wait(&w->wq, waiter_done, w);
}

/* futex_wait(addr, expected, timeout_ns): 0 when woken by futex_wake,
 * -SYS_EAGAIN when *addr != expected, -SYS_ETIMEDOUT, -SYS_EINVAL or
 * -SYS_EFAULT for a bad addr. timeout_ns 0: no timeout; a timeout that
 * would pass UINT64_MAX saturates there (never). A killed process's
 * thread leaves from here. */
long sys_futex_wait(long addr, long expected, long timeout_ns)
{
    process_check_killed(); /* a blocking call: leave before, not only after */
    struct process *p = current_process();
    struct futex_waiter w = {
        .space = p->space,
        .addr = (uint64_t)addr,
        .process = p,
    };
    wait_queue_init(&w.wq);
    uint64_t deadline = timeout_ns ? clock_deadline_ns((uint64_t)timeout_ns) : 0;
    struct futex_bucket *b = bucket_of(w.space, w.addr);
    uint32_t value = 0;
    uint64_t flags = spin_lock_irqsave(&b->lock);
    int err = read_word(w.addr, &value);
    if (!err && value != (uint32_t)expected)
        err = -SYS_EAGAIN;
    if (!err) {
        w.next = b->head;
        b->head = &w;
    }
    spin_unlock_irqrestore(&b->lock, flags);
    if (err)
        return err;
    __atomic_fetch_add(&futex_sleeps, 1, __ATOMIC_RELAXED);
    sleep_on(&w, deadline);
    flags = spin_lock_irqsave(&b->lock);
    bool woken = w.woken;
    if (!woken)
        unlink_waiter(b, &w);
    spin_unlock_irqrestore(&b->lock, flags);
    process_check_killed();
    return woken ? 0 : -SYS_ETIMEDOUT;
}

/* futex_wake(addr, count): wakes up to count waiters on addr in the
 * caller's space, oldest last (LIFO is fine for a lock); how many. */
long sys_futex_wake(long addr, long count)
{
    struct process *p = current_process();
    uint32_t value;
    int err = read_word((uint64_t)addr, &value);
    if (err)
        return err;
    if (count < 0 || count > UINT32_MAX)
        return -SYS_EINVAL;
    struct futex_bucket *b = bucket_of(p->space, (uint64_t)addr);
    long woken = 0;
    uint64_t flags = spin_lock_irqsave(&b->lock);
    for (struct futex_waiter **pos = &b->head; *pos && woken < count;) {
        struct futex_waiter *w = *pos;
        if (w->space != p->space || w->addr != (uint64_t)addr) {
            pos = &w->next;
            continue;
        }
        *pos = w->next;
        __atomic_store_n(&w->woken, true, __ATOMIC_RELEASE); /* pairs: waiter_done */
        wake_up_one(&w->wq);
        woken++;
    }
    spin_unlock_irqrestore(&b->lock, flags);
    return woken;
}

void futex_wake_space(const struct address_space *space)
{
    for (unsigned i = 0; i < FUTEX_BUCKETS; i++) {
        struct futex_bucket *b = &buckets[i];
        uint64_t flags = spin_lock_irqsave(&b->lock);
        for (struct futex_waiter *w = b->head; w; w = w->next)
            if (w->space == space)
                wake_up_one(&w->wq); /* waiter_done: its process is killed */
        spin_unlock_irqrestore(&b->lock, flags);
    }
}
