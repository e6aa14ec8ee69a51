/* message.c — messages between processes: the gate functions send and
 * receive.
 *
 * send(pid, value) puts { the sender's pid, value } at the end of process
 * pid's mailbox (struct process: a ring of SYS_MAILBOX_SLOTS messages) and
 * returns at once: -SYS_EAGAIN when the mailbox is full, -SYS_ESRCH when
 * pid is no running process (or one being killed). Any process may send
 * to any other, and to itself. receive(msg, timeout_ns) takes the oldest
 * message, sleeping on the mailbox's wait queue until one comes; any
 * thread of the process may receive, each message goes to one of them.
 *
 * Everything happens under process_lock: the sender finds the process and
 * fills its slot, then wakes one receiver (lock order process_lock, then
 * a wait-queue lock, as everywhere); the receiver copies the message out
 * under it too, so that a message leaves the mailbox only once it reached
 * the user (a bad msg pointer leaves it there: -SYS_EFAULT). user_copy
 * never sleeps, and no user fault takes process_lock.
 *
 * A receiver sleeps on the mailbox's wait queue until a sender wakes it,
 * or its timer does (wait_queue_wait_until: the first scheduler tick at or
 * after the deadline). A killed process's receivers are woken
 * (mark_killed) and leave.
 */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/time.h>

long sys_send(long pid, long value)
{
    if (pid <= 0 || pid > UINT32_MAX)
        return -SYS_ESRCH;
    uint32_t from = current_process()->pid;
    long result = -SYS_ESRCH;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    struct process *p = process_find_locked((uint32_t)pid);
    if (p && !p->killed) {
        result = -SYS_EAGAIN;
        if (p->mail_count < SYS_MAILBOX_SLOTS) {
            unsigned slot = (p->mail_head + p->mail_count) % SYS_MAILBOX_SLOTS;
            p->mail[slot] = (struct sys_message){ .from = from, .value = (uint64_t)value };
            __atomic_store_n(&p->mail_count, p->mail_count + 1, __ATOMIC_RELEASE);
            wake_up_one(&p->mail_wq);
            result = 0;
        }
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return result;
}

static bool mail_or_killed(void *arg)
{
    struct process *p = arg;
    return __atomic_load_n(&p->mail_count, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE);
}

/* The oldest message, copied out to msg and taken: 0; 1 when the mailbox
 * is empty; -SYS_EFAULT (the message stays). */
static int take(struct process *p, uint64_t msg)
{
    int result = 1;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    if (p->mail_count) {
        result = copy_to_user((void *)msg, &p->mail[p->mail_head], sizeof(struct sys_message));
        if (!result) {
            p->mail_head = (p->mail_head + 1) % SYS_MAILBOX_SLOTS;
            __atomic_store_n(&p->mail_count, p->mail_count - 1, __ATOMIC_RELEASE);
        }
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return result;
}

long sys_receive(long msg, long timeout_ns)
{
    process_check_killed(); /* a blocking call: leave before, not only after */
    struct process *p = current_process();
    if (!user_range_ok((uint64_t)msg, sizeof(struct sys_message)))
        return -SYS_EFAULT;
    uint64_t deadline = timeout_ns ? clock_deadline_ns((uint64_t)timeout_ns) : 0;
    for (;;) {
        int result = take(p, (uint64_t)msg);
        if (result <= 0)
            return result;
        process_check_killed();
        if (!timeout_ns)
            wait_queue_wait(&p->mail_wq, mail_or_killed, p);
        else if (!wait_queue_wait_until(&p->mail_wq, mail_or_killed, p, deadline) &&
                 !__atomic_load_n(&p->mail_count, __ATOMIC_ACQUIRE))
            return -SYS_ETIMEDOUT;
    }
}
