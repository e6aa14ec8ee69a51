/* thread.c — more ring-3 threads in a process: thread_create, thread_join.
 *
 * A process has PROCESS_THREADS_MAX thread slots (struct user_thread,
 * under process_lock); slot 0 is the first thread's. Slot i's user stack
 * (USER_STACK_PAGES, RW+NX, a guard page below) is mapped at the slot's
 * first use and kept for the next thread of the slot, so the stacks cost
 * at most the slots ever used at once and go with the address space.
 * stacks_lock serializes the mapping (p->pages and the page tables).
 *
 * A thread starts at fn with rdi = arg, rsp 16-byte aligned minus 8 (as
 * after a call), its return address ghost_code.asm's thread_return:
 * returning from fn is thread_exit(fn's result).
 */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/mm.h>
#include <wisp/ghost.h>
#include <locks/mutex.h>

/* ghost_layout.inc's GHOST_THREAD_EXIT_STUB is thread_exit's gate stub. */
_Static_assert(SYS_THREAD_EXIT == 18 && GHOST_STUB_SIZE == 16,
               "ghost_layout.inc: thread_exit's stub");

static struct mutex stacks_lock = MUTEX_INIT(stacks_lock, "thread-stacks");

struct thread_start {
    struct process *process;
    unsigned slot;
    uint64_t fn, arg, stack_top;
};

static void user_thread_entry(void *arg)
{
    struct thread_start start = *(struct thread_start *)arg;
    kfree(arg);
    process_become_user_thread(start.process, start.slot);
    gate_enter_user(start.fn, start.stack_top - 8, start.arg);
}

static uint64_t stack_top_of(unsigned slot)
{
    return USER_STACK_TOP - slot * USER_THREAD_STACK_STRIDE;
}

/* Maps slot's stack in p's space if it is not yet: 0 or -SYS_ENOMEM. */
static int map_stack(struct process *p, unsigned slot)
{
    int err = 0;
    mutex_lock(&stacks_lock);
    if (!p->threads[slot].stack_mapped) {
        for (uint64_t i = 1; i <= USER_STACK_PAGES && !err; i++) {
            uint64_t pa, va = stack_top_of(slot) - i * PAGE_SIZE;
            err = process_add_page(p, va, &pa);
            if (!err && vmm_map_in(p->space, va, pa, VM_WRITE | VM_USER) != 0)
                err = -SYS_ENOMEM; /* the page is on p->pages: freed at exit */
        }
        p->threads[slot].stack_mapped = !err;
    }
    mutex_unlock(&stacks_lock);
    return err;
}

/* Takes a free slot (not 0) of p for a new thread: its index, or 0. */
static unsigned reserve_slot(struct process *p, uint32_t *tid)
{
    unsigned found = 0;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    for (unsigned i = 1; i < PROCESS_THREADS_MAX && !p->killed; i++)
        if (!p->threads[i].tid) {
            found = i;
            *tid = p->next_tid++;
            p->threads[i].tid = *tid;
            p->threads[i].ended = false;
            p->threads[i].kthread = NULL;
            break;
        }
    spin_unlock_irqrestore(&process_lock, flags);
    return found;
}

static void release_slot(struct process *p, unsigned slot)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    p->threads[slot].tid = 0;
    spin_unlock_irqrestore(&process_lock, flags);
}

/* thread_create(fn, arg): the new thread's tid, -SYS_EFAULT for fn outside
 * the user half, -SYS_EAGAIN when every slot is taken (or the process is
 * ending), -SYS_ENOMEM. */
long sys_thread_create(long fn, long arg)
{
    struct process *p = current_process();
    if (!user_range_ok((uint64_t)fn, 1))
        return -SYS_EFAULT;
    uint32_t tid = 0;
    unsigned slot = reserve_slot(p, &tid);
    if (!slot)
        return -SYS_EAGAIN;
    uint64_t top = stack_top_of(slot), ret = GHOST_THREAD_RETURN_VA;
    struct thread_start *start = kmalloc(sizeof(*start));
    int err = start ? map_stack(p, slot) : -SYS_ENOMEM;
    if (!err && copy_to_user((void *)(top - 8), &ret, sizeof(ret)) != 0)
        err = -SYS_ENOMEM;
    if (err)
        goto fail;
    *start = (struct thread_start){ p, slot, (uint64_t)fn, (uint64_t)arg, top };
    uint64_t flags = spin_lock_irqsave(&process_lock);
    p->threads_alive++; /* before it runs: the space stays while it may start */
    spin_unlock_irqrestore(&process_lock, flags);
    struct thread *t = thread_create(p->name, user_thread_entry, start, -1);
    if (!t) {
        flags = spin_lock_irqsave(&process_lock);
        p->threads_alive--; /* the caller is alive: never the last */
        spin_unlock_irqrestore(&process_lock, flags);
        err = -SYS_ENOMEM;
        goto fail;
    }
    thread_detach(t);
    return tid;
fail:
    kfree(start);
    release_slot(p, slot);
    return err;
}

struct join_wait {
    struct process *process;
    struct user_thread *slot;
    uint32_t tid;
};

/* Its thread ended, or another joiner took it (the slot may even hold a
 * new thread by now), or the process is killed. */
static bool join_done(void *arg)
{
    struct join_wait *w = arg;
    return __atomic_load_n(&w->slot->tid, __ATOMIC_ACQUIRE) != w->tid ||
           __atomic_load_n(&w->slot->ended, __ATOMIC_ACQUIRE) ||
           __atomic_load_n(&w->process->killed, __ATOMIC_ACQUIRE);
}

/* thread_join(tid): waits for thread tid (not the caller, not the first
 * thread) to end, frees its slot and returns its status; -SYS_ESRCH when
 * no such thread is joinable. A killed process leaves from the wait. */
long sys_thread_join(long tid)
{
    process_check_killed(); /* a blocking call: leave before, not only after */
    struct process *p = current_process();
    struct user_thread *slot = NULL;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    for (unsigned i = 1; i < PROCESS_THREADS_MAX && tid > 0 && tid <= UINT32_MAX; i++)
        if (p->threads[i].tid == (uint32_t)tid && p->threads[i].kthread != current_thread())
            slot = &p->threads[i];
    spin_unlock_irqrestore(&process_lock, flags);
    if (!slot)
        return -SYS_ESRCH;
    struct join_wait w = { p, slot, (uint32_t)tid };
    wait_queue_wait(&process_exit_wq, join_done, &w);
    process_check_killed();
    flags = spin_lock_irqsave(&process_lock);
    long status = -SYS_ESRCH; /* another thread joined it first */
    if (slot->tid == (uint32_t)tid && slot->ended) {
        status = slot->status;
        slot->tid = 0;
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return status;
}
