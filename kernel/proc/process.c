/* process.c — user processes: spawn, the ring-3 thread, exit, fault, wait.
 *
 * process_lock protects the process list, every process's state and
 * exit_status, its thread slots, killed / kill_status and mailbox, and the
 * writers of the program registry (programs are only added, so readers
 * take no lock). process_exit_wq is where process_wait and thread_join
 * sleep; exits are rare, so one queue serves every process.
 *
 * A process has 1..PROCESS_THREADS_MAX ring-3 threads (thread slots,
 * kernel/proc/thread.c). Each leaving thread first moves its CPU to
 * kernel_space, then drops threads_alive under process_lock; the one that
 * drops it to zero tears the process down. A CPU always runs on the space
 * of its current thread (process_switch), so by then no CPU has the space
 * loaded and no TLB holds its entries (CR3 loads flush them: no PCID).
 */
#include <wisp/process.h>
#include "kernel/dev/dev_internal.h"
#include <wisp/sched.h>
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/cpu.h>
#include <wisp/percpu.h>
#include <wisp/printk.h>
#include <wisp/trap.h>
#include <modload/format/exec.h>
#include <string.h>

#define PROGRAMS_MAX   64
#define FPU_STATE_SIZE 512

struct spinlock process_lock = SPINLOCK_INIT("process");
static struct list_node processes = LIST_INIT(processes);
static unsigned processes_alive;
static uint32_t next_pid = 1;
static struct program programs[PROGRAMS_MAX]; /* the first program_count */
static unsigned program_count;
struct wait_queue process_exit_wq = WAIT_QUEUE_INIT(process_exit_wq);

/* The address space each CPU runs on (its current thread's). */
static struct address_space *cpu_space[MAX_CPUS];

/* fxsave image of a clean FPU: x87 control word 0x37f, MXCSR 0x1f80
 * (all exceptions masked), everything else zero. */
static uint8_t fpu_initial_state[FPU_STATE_SIZE] __aligned(16) = {
    [0] = 0x7f,
    [1] = 0x03,
    [24] = 0x80,
    [25] = 0x1f,
};

int program_register(const char *name, const void *elf, size_t size)
{
    struct mod_exec exec;
    struct mod_error err;
    if (mod_exec_parse(&exec, name, elf, size, &err) != MOD_OK) {
        pr_err("image: program %s refused: %s\n", name, err.message);
        return -SYS_ENOEXEC;
    }
    int result = -SYS_ENOMEM;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    if (program_count < PROGRAMS_MAX) {
        struct program *prog = &programs[program_count];
        strlcpy(prog->name, name, sizeof(prog->name));
        prog->elf = elf;
        prog->size = size;
        /* published: lookups read program_count with acquire */
        __atomic_store_n(&program_count, program_count + 1, __ATOMIC_RELEASE);
        result = 0;
    }
    spin_unlock_irqrestore(&process_lock, flags);
    if (result)
        pr_err("image: program %s refused: more than %d programs\n", name, PROGRAMS_MAX);
    return result;
}

/* Programs are only ever added, never changed or removed: no lock. */
const struct program *program_find(const char *name)
{
    unsigned count = __atomic_load_n(&program_count, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < count; i++)
        if (strcmp(programs[i].name, name) == 0)
            return &programs[i];
    return NULL;
}

struct process *current_process(void) { return current_thread()->process; }

unsigned process_count(void) { return processes_alive; }

static void activate_space(struct address_space *as)
{
    struct address_space **slot = &cpu_space[cpu_id()];
    if (*slot != as) {
        vmm_space_activate(as);
        *slot = as;
    }
}

void process_switch(struct thread *prev, struct thread *next)
{
    if (prev->fpu_state)
        __asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FPU_STATE_SIZE])prev->fpu_state));
    if (next->fpu_state)
        __asm__ volatile("fxrstor64 %0" ::"m"(*(uint8_t(*)[FPU_STATE_SIZE])next->fpu_state));
    activate_space(next->process ? next->process->space : &kernel_space);
}

/* ---- the user half ---- */

static void free_user_half(struct process *p)
{
    mapping_destroy(p);
    while (p->pages) {
        struct user_page *up = p->pages;
        p->pages = up->next;
        pmm_free_page(up->pa);
        kfree(up);
    }
    __atomic_store_n(&p->page_count, 0, __ATOMIC_RELAXED);
    vmm_space_destroy(p->space);
    p->space = NULL;
}

/* argc and argv within the PROCESS_ARGS_* limits? */
static bool arguments_ok(unsigned argc, const char *const *argv)
{
    size_t total = 0;
    if (argc > PROCESS_ARGS_MAX)
        return false;
    for (unsigned i = 0; i < argc; i++) {
        size_t n = strnlen(argv[i], PROCESS_ARG_LENGTH_MAX + 1);
        if (n > PROCESS_ARG_LENGTH_MAX)
            return false;
        total += n + 1;
    }
    return total <= PROCESS_ARGS_BYTES;
}

/* ---- life cycle ---- */

/* Makes the calling kernel thread a user thread of p (counted in
 * p->threads_alive by its creator): a clean FPU, p's space. Then a
 * process killed meanwhile makes it leave at once. */
void process_become_user_thread(struct process *p, unsigned slot)
{
    struct thread *t = current_thread();
    uint64_t flags = spin_lock_irqsave(&process_lock);
    p->threads[slot].kthread = t; /* process_thread_leave finds its slot */
    spin_unlock_irqrestore(&process_lock, flags);
    t->process = p;
    void *fpu = kmalloc(FPU_STATE_SIZE); /* 512-byte class: aligned */
    if (!fpu)
        process_exit(-SYS_ENOMEM);
    preempt_disable();
    __asm__ volatile("fxrstor64 %0" ::"m"(fpu_initial_state));
    t->fpu_state = fpu;
    activate_space(p->space);
    preempt_enable();
    process_check_killed();
}

/* The process's first thread: slot 0, enters ring 3 at the program's entry. */
static void user_thread_start(void *arg)
{
    struct process *p = arg;
    process_become_user_thread(p, 0);
    gate_enter_user(p->entry, p->stack_pointer, 0);
}

struct process *process_spawn_on(const struct program *prog, unsigned argc, const char *const *argv,
                                 struct process *parent, int cpu, int *error)
{
    const char *name_only[1] = { prog->name };
    if (argc == 0) {
        argc = 1;
        argv = name_only;
    }
    if (!arguments_ok(argc, argv) ||
        (cpu != -1 && (cpu < 0 || (unsigned)cpu >= cpu_count || !cpus[cpu].online))) {
        *error = -SYS_EINVAL;
        return NULL;
    }
    struct process *p = kzalloc(sizeof(*p));
    if (!p) {
        *error = -SYS_ENOMEM;
        return NULL;
    }
    strlcpy(p->name, prog->name, sizeof(p->name));
    p->parent = parent;
    p->program = prog;
    p->state = PROCESS_RUNNING;
    wait_queue_init(&p->mail_wq);
    p->space = vmm_space_create();
    int err = p->space ? mapping_create(p) : -SYS_ENOMEM;
    if (!err)
        err = process_exec(p, prog, argc, argv);
    if (err)
        goto fail;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    p->pid = next_pid++;
    p->session = parent ? parent->session : p->pid; /* the kernel's start a session */
    p->threads_alive = 1;
    p->next_tid = 2;
    p->threads[0].tid = 1;
    list_push_back(&processes, &p->node);
    processes_alive++;
    spin_unlock_irqrestore(&process_lock, flags);
    struct thread *t = thread_create(p->name, user_thread_start, p, cpu);
    if (!t) {
        flags = spin_lock_irqsave(&process_lock);
        list_remove(&p->node);
        processes_alive--;
        spin_unlock_irqrestore(&process_lock, flags);
        err = -SYS_ENOMEM;
        goto fail;
    }
    thread_detach(t);
    return p;
fail:
    if (p->space)
        free_user_half(p);
    kfree(p);
    *error = err;
    return NULL;
}

/* The last thread is gone: frees the user half, records status, hands
 * the struct to its waiter (or frees it, an orphan). Runs on kernel_space. */
static void process_finish(struct process *p, int status)
{
    iface_process_exit(p); /* its interface handles (kernel/dev/gate.c) */
    free_user_half(p);
    struct list_node ended_children = LIST_INIT(ended_children);
    uint64_t flags = spin_lock_irqsave(&process_lock);
    list_for_each_safe(pos, next, &processes)
    { /* running orphans free themselves when they end; ended ones go now */
        struct process *child = list_entry(pos, struct process, node);
        if (child->parent != p)
            continue;
        child->parent = NULL;
        child->orphan = true;
        if (child->state == PROCESS_ZOMBIE) {
            list_remove(&child->node);
            list_push_back(&ended_children, &child->node);
        }
    }
    p->exit_status = status;
    p->state = PROCESS_ZOMBIE;
    processes_alive--;
    bool orphan = p->orphan;
    if (orphan)
        list_remove(&p->node);
    spin_unlock_irqrestore(&process_lock, flags);
    for (struct list_node *n; (n = list_pop_front(&ended_children));)
        kfree(list_entry(n, struct process, node));
    if (orphan)
        kfree(p);
    else
        wake_up_all(&process_exit_wq);
}

static struct user_thread *slot_of(struct process *p, struct thread *t)
{
    for (unsigned i = 0; i < PROCESS_THREADS_MAX; i++)
        if (p->threads[i].tid && !p->threads[i].ended && p->threads[i].kthread == t)
            return &p->threads[i];
    panic("process %u: thread %s in no slot", p->pid, t->name);
}

__noreturn void process_thread_leave(int status)
{
    struct thread *t = current_thread();
    struct process *p = t->process;
    if (!p)
        panic("thread_exit from kernel thread %s", t->name);
    kcov_thread_free(t);
    preempt_disable();
    activate_space(&kernel_space);
    t->process = NULL; /* from here on a kernel thread */
    preempt_enable();
    uint64_t flags = spin_lock_irqsave(&process_lock);
    struct user_thread *slot = slot_of(p, t);
    slot->ended = true;
    slot->status = status;
    slot->kthread = NULL;
    bool last = --p->threads_alive == 0;
    int final = p->killed ? p->kill_status : status;
    spin_unlock_irqrestore(&process_lock, flags);
    if (last)
        process_finish(p, final);
    else
        wake_up_all(&process_exit_wq); /* its joiner */
    thread_exit();
}

/* Marks p killed with status unless it already is: true if it was not. */
static bool mark_killed(struct process *p, int status)
{
    if (p->killed)
        return false;
    p->kill_status = status;
    /* read by its threads: process_check_killed, futex, join and receive waits */
    __atomic_store_n(&p->killed, true, __ATOMIC_RELEASE);
    wake_up_all(&p->mail_wq); /* those in receive leave */
    return true;
}

/* After mark_killed, with process_lock released: wakes p's threads where
 * they wait — futexes, thread_join, read — so that they leave. p and space
 * (p's, read under the lock) are only compared: p may be ending by now. */
static void wake_killed(const struct process *p, const struct address_space *space)
{
    futex_wake_space(space);
    wake_up_all(&process_exit_wq);
    console_reader_killed(p);
}

__noreturn void process_exit(int status)
{
    struct process *p = current_process();
    if (!p)
        panic("process_exit from kernel thread %s", current_thread()->name);
    uint64_t flags = spin_lock_irqsave(&process_lock);
    bool first = mark_killed(p, status);
    spin_unlock_irqrestore(&process_lock, flags);
    if (first)
        wake_killed(p, p->space);
    process_thread_leave(status);
}

__noreturn void process_fault(struct trap_frame *f, uint64_t cr2)
{
    struct process *p = current_process();
    if (!p)
        panic("ring-3 fault outside a process");
    if (f->vector == VEC_PAGE_FAULT)
        pr_warn("process %u (%s): %s at %016lx (%s %s), rip %016lx: killed\n", p->pid, p->name,
                trap_exception_name((unsigned)f->vector), cr2,
                f->error & 1 ? "protection violation" : "not present",
                f->error & 2    ? "write"
                : f->error & 16 ? "fetch"
                                : "read",
                f->rip);
    else
        pr_warn("process %u (%s): %s, rip %016lx: killed\n", p->pid, p->name,
                trap_exception_name((unsigned)f->vector), f->rip);
    irq_enable(); /* came from ring 3: no kernel lock is held */
    process_exit(SYS_EXIT_FAULT_BASE + (int)f->vector);
}

__noreturn void gate_bad_return(uint64_t rip)
{
    struct process *p = current_process();
    pr_warn("process %u (%s): system call returns to %016lx, above the user half: killed\n", p->pid,
            p->name, rip);
    process_exit(SYS_EXIT_FAULT_BASE + VEC_GPF);
}

/* gate.asm: a system call that did not come from its gate stub. */
__noreturn void gate_unpinned_call(uint64_t rip, uint64_t number)
{
    struct process *p = current_process();
    pr_warn("process %u (%s): system call %lu from outside its ghost stub (rip %016lx): "
            "killed\n",
            p->pid, p->name, number, rip);
    process_exit(SYS_EXIT_FAULT_BASE + VEC_GPF);
}

struct process *process_find_child(struct process *parent, uint32_t pid)
{
    struct process *found = NULL;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    list_for_each(pos, &processes)
    {
        struct process *p = list_entry(pos, struct process, node);
        if (p->pid == pid && p->parent == parent && !p->claimed) {
            p->claimed = true; /* one thread of the parent collects it */
            found = p;
            break;
        }
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return found;
}

static bool has_ended(void *arg)
{
    return __atomic_load_n(&((struct process *)arg)->state, __ATOMIC_ACQUIRE) == PROCESS_ZOMBIE;
}

int process_wait(struct process *p)
{
    wait_queue_wait(&process_exit_wq, has_ended, p);
    uint64_t flags = spin_lock_irqsave(&process_lock);
    list_remove(&p->node);
    int status = p->exit_status;
    spin_unlock_irqrestore(&process_lock, flags);
    kfree(p);
    return status;
}

struct child_wait {
    struct process *child, *self;
};

static bool child_ended_or_self_killed(void *arg)
{
    struct child_wait *w = arg;
    return has_ended(w->child) || __atomic_load_n(&w->self->killed, __ATOMIC_ACQUIRE);
}

int process_wait_child(struct process *child)
{
    struct child_wait w = { child, current_process() };
    wait_queue_wait(&process_exit_wq, child_ended_or_self_killed, &w);
    if (!has_ended(child)) { /* the caller's process was killed */
        process_release_child(child, false);
        process_check_killed(); /* leaves; the child is orphaned at the end */
    }
    int status = 0;
    process_child_status(child, &status);
    return status;
}

bool process_child_status(struct process *child, int *status)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    bool ended = child->state == PROCESS_ZOMBIE;
    if (ended)
        *status = child->exit_status;
    spin_unlock_irqrestore(&process_lock, flags);
    return ended;
}

void process_release_child(struct process *child, bool collect)
{
    uint64_t flags = spin_lock_irqsave(&process_lock);
    if (collect)
        list_remove(&child->node);
    else
        child->claimed = false;
    spin_unlock_irqrestore(&process_lock, flags);
    if (collect)
        kfree(child);
}

bool process_try_wait(struct process *p, int *status)
{
    bool ended = process_child_status(p, status);
    process_release_child(p, ended);
    return ended;
}

struct process *process_find_locked(uint32_t pid)
{
    lockdep_assert_held(&process_lock.dep);
    list_for_each(pos, &processes)
    {
        struct process *p = list_entry(pos, struct process, node);
        if (p->pid == pid && p->state == PROCESS_RUNNING)
            return p;
    }
    return NULL;
}

/* Is a an ancestor of p (process_lock held: parents are cleared there)? */
static bool is_ancestor(const struct process *a, const struct process *p)
{
    for (const struct process *up = p->parent; up; up = up->parent)
        if (up == a)
            return true;
    return false;
}

/* May caller end p (process_lock held)? Itself, its descendants, and the
 * processes of its session but its ancestors: a program started from the
 * shell may end the shell's other jobs but not the shell, and nothing of
 * another session (what the kernel started: the shell's session, each
 * program of the monitor's `run`). The kernel (NULL) may end any. */
static bool may_kill(const struct process *caller, const struct process *p)
{
    if (!caller || caller == p || is_ancestor(caller, p))
        return true;
    return p->session == caller->session && !is_ancestor(p, caller);
}

int process_kill(struct process *caller, uint32_t pid, int status)
{
    int result = -SYS_ESRCH;
    const struct address_space *space = NULL;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    struct process *p = process_find_locked(pid);
    if (p) {
        result = may_kill(caller, p) ? 0 : -SYS_EPERM;
        if (!result && mark_killed(p, status))
            space = p->space;
    }
    spin_unlock_irqrestore(&process_lock, flags);
    if (space)
        wake_killed(p, space);
    return result;
}

void process_check_killed(void)
{
    struct process *p = current_process();
    if (p && __atomic_load_n(&p->page_in_failed, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
        irq_enable();                                       /* as below: no kernel lock is held */
        process_exit(SYS_EXIT_FAULT_BASE + VEC_PAGE_FAULT); /* mapping.c: no page for user_copy */
    }
    if (p && __atomic_load_n(&p->killed, __ATOMIC_ACQUIRE)) {
        if (p->kill_status == SYS_EXIT_KILLED || p->kill_status == SYS_EXIT_INTERRUPTED)
            pr_info("process %u (%s): %s\n", p->pid, p->name,
                    p->kill_status == SYS_EXIT_KILLED ? "killed" : "interrupted (^C)");
        irq_enable(); /* from ring 3 or a handler: no kernel lock is held */
        process_thread_leave(p->kill_status);
    }
}

size_t process_snapshot(struct sys_process_record *out, size_t start, size_t max)
{
    size_t index = 0, n = 0;
    uint64_t flags = spin_lock_irqsave(&process_lock);
    list_for_each(pos, &processes)
    {
        struct process *p = list_entry(pos, struct process, node);
        if (index++ < start)
            continue;
        if (n == max)
            break;
        struct sys_process_record *r = &out[n++];
        memset(r, 0, sizeof(*r));
        r->pid = p->pid;
        r->parent = p->parent ? p->parent->pid : 0;
        r->state = p->state == PROCESS_ZOMBIE ? SYS_PROCESS_ZOMBIE
                   : p->killed                ? SYS_PROCESS_KILLED
                                              : SYS_PROCESS_RUNNING;
        r->threads = p->threads_alive;
        r->pages = (uint32_t)(__atomic_load_n(&p->page_count, __ATOMIC_RELAXED) +
                              mapping_resident_pages(p));
        strlcpy(r->name, p->name, sizeof(r->name));
    }
    spin_unlock_irqrestore(&process_lock, flags);
    return n;
}
