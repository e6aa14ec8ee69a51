/* process.h — user processes: an address space, a ring-3 thread, an exit
 * status and a parent that waits for it (kernel/proc/).
 *
 * Layout of the user half (below USER_TOP; nothing is ever mapped above):
 *   USER_LOAD_BASE the program's image (an ELF PIE, kernel/proc/exec.c):
 *                  code R+X, read-only data R, data RW+NX, bss zeroed,
 *                  the RELRO pages read-only after relocation
 *   USER_STACK_TOP the user stack grows down from here (RW+NX), with
 *                  argc, argv and the argument strings at its top; the
 *                  stack of thread slot i (1..PROCESS_THREADS_MAX-1) tops
 *                  at USER_STACK_TOP - i * USER_THREAD_STACK_STRIDE (a
 *                  guard page below each), mapped at the slot's first use
 *   USER_MAP_BASE  the mapping area (USER_MAP_SIZE): what map() gives,
 *                  RW+NX, each page allocated at its first touch by the
 *                  page-fault handler (kernel/proc/mapping.c); at most
 *                  USER_MAP_LIMIT bytes mapped at once per process
 * The kernel half is the kernel's (vmm_space_create), never VM_USER.
 *
 * Lifetime: process_spawn creates the process and starts its first
 * thread; thread_create (kernel/proc/thread.c) adds more. A thread ends
 * by thread_exit, or by exit, a fault or kill, which mark the process
 * killed so that every other thread leaves at its next safe point
 * (process_check_killed). The last thread to leave tears down the address
 * space (no CPU has it loaded any more), records the status and wakes
 * waiters. The parent (or the kernel, parent NULL) reaps it with
 * process_wait, which frees the struct.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/list.h>
#include <wisp/syscall.h>
#include <wisp/sched.h>

#define USER_LOAD_BASE           0x0000000000400000ul
#define USER_STACK_TOP           0x00007ffffff00000ul
#define USER_STACK_PAGES         8
#define USER_TOP                 0x00007ffffffff000ul /* first address never mapped */
#define PROCESS_NAME_MAX         24
#define PROCESS_THREADS_MAX      16 /* ring-3 threads of one process, the first included */
#define USER_THREAD_STACK_STRIDE ((USER_STACK_PAGES + 1) * 4096ul)
/* map()'s area: 64 GiB at 16 TiB, far from the image (USER_LOAD_BASE, at
 * most 16 MiB), the stacks and the ghost pages (just below USER_TOP). */
#define USER_MAP_BASE    0x0000100000000000ul
#define USER_MAP_SIZE    (64ul << 30)
#define USER_MAP_LIMIT   (256ul << 20) /* bytes mapped at once, per process */
#define USER_MAP_REGIONS 1024          /* disjoint mapped ranges, per process */
/* Arguments a process is started with (spawn's limits). */
#define PROCESS_ARGS_MAX       32   /* argc, argv[0] included */
#define PROCESS_ARG_LENGTH_MAX 255  /* bytes of one argument, NUL excluded */
#define PROCESS_ARGS_BYTES     4096 /* all the strings, NULs included */
#define PROGRAM_NAME_MAX       32

struct address_space;
struct process_mappings;
struct spinlock;
struct wait_queue;
struct thread;
struct trap_frame;

/* A program the kernel may run: an ELF64 position-independent executable
 * (modload/format/exec.h), from a verified program section of the image. elf
 * points into the image and stays valid while the kernel runs. */
struct program {
    char name[PROGRAM_NAME_MAX];
    const uint8_t *elf;
    size_t size;
};

struct user_page {
    uint64_t va, pa;
    struct user_page *next;
};

enum process_state { PROCESS_RUNNING, PROCESS_ZOMBIE };

/* A thread slot of a process (under process_lock). Slot 0 is the first
 * thread's. A slot is free again once its thread has ended and been
 * joined (or when it is slot 0: nobody joins the first thread). */
struct user_thread {
    uint32_t tid;      /* 0: free */
    bool ended;        /* left the process; status valid */
    bool stack_mapped; /* the slot's user stack is mapped (kept until exit) */
    int status;
    struct thread *kthread; /* while it runs */
};

struct process {
    uint32_t pid;
    char name[PROCESS_NAME_MAX];
    enum process_state state; /* under process_lock */
    int exit_status;          /* valid once PROCESS_ZOMBIE */
    struct process *parent;   /* NULL: the kernel reaps it */
    uint32_t session;         /* its session leader's pid (its own: started by the kernel) */
    bool orphan;              /* parent ended first: frees itself */
    bool claimed;             /* a thread of the parent is collecting it (find_child) */
    bool killed;              /* kill, exit or fault: every thread leaves at its next safe point */
    int kill_status;          /* the process's status when killed */
    unsigned threads_alive;   /* under process_lock; the last one to leave frees the space */
    uint32_t next_tid;
    struct user_thread threads[PROCESS_THREADS_MAX];
    struct address_space *space;
    struct user_page *pages;           /* every page of its own in the user half, but map()'s */
    uint64_t page_count;               /* how many (atomic: its writers do not hold process_lock) */
    struct process_mappings *mappings; /* map()'s regions and their pages (mapping.c) */
    bool page_in_failed; /* a page-in for user_copy found no memory: ends at a safe point */
    const struct program *program;
    uint64_t entry, stack_pointer; /* where its thread enters ring 3 */
    struct list_node node;         /* on the process list */
    /* message.c: the mailbox, a ring of the messages sent to it, oldest at
     * mail_head (under process_lock); its threads in receive sleep on
     * mail_wq. */
    struct sys_message mail[SYS_MAILBOX_SLOTS];
    unsigned mail_head, mail_count;
    struct wait_queue mail_wq;
};

/* Programs that spawn can find by name. register validates the ELF (a bad
 * one is refused and logged with its reason) and keeps the pointer; 0 or
 * -SYS_E.... Called for every verified program section at boot. */
int program_register(const char *name, const void *elf, size_t size);
const struct program *program_find(const char *name);

/* Starts prog in a new process with argc arguments argv (kernel strings,
 * within the PROCESS_ARGS_* limits; argc 0: argv is { prog->name }), its
 * first thread on CPU cpu (an online CPU, else -SYS_EINVAL; -1: the
 * least loaded one). Returns it, or NULL with *error set (-SYS_E...; a
 * program that does not load is -SYS_ENOEXEC and the reason is logged).
 * Thread context, may sleep. */
struct process *process_spawn_on(const struct program *prog, unsigned argc, const char *const *argv,
                                 struct process *parent, int cpu, int *error);
static inline struct process *process_spawn(const struct program *prog, unsigned argc,
                                            const char *const *argv, struct process *parent,
                                            int *error)
{
    return process_spawn_on(prog, argc, argv, parent, -1, error);
}
/* Waits for p to end, frees it and returns its exit status. Only p's
 * parent (or any kernel thread when the parent is NULL) may call it. */
int process_wait(struct process *p);
/* The wait gate function's half: waits until child (claimed by
 * process_find_child) ends and returns its status, leaving it claimed
 * and not freed (the caller then hands the status to the user and calls
 * process_release_child). The caller leaves instead when its own process
 * is killed meanwhile (the claim released). */
int process_wait_child(struct process *child);
/* Claimed child's exit status, if it has ended (true); never blocks. */
bool process_child_status(struct process *child, int *status);
/* Ends a claim of process_find_child: collect frees the (ended) child;
 * otherwise it stays collectable by the next wait. */
void process_release_child(struct process *child, bool collect);
/* kcov.c: frees t's coverage buffer, if it has one (its thread leaving). */
void kcov_thread_free(struct thread *t);
/* Ends the calling process with status: every thread of it. Never returns. */
__noreturn void process_exit(int status);
/* Ends the calling thread with status; the process ends with its last
 * thread (status then the last one's, or the killed status). */
__noreturn void process_thread_leave(int status);
/* thread.c / process.c: the calling kernel thread becomes a user thread
 * of p (counted in p->threads_alive by its creator). */
void process_become_user_thread(struct process *p, unsigned slot);
/* kernel/proc only: process_lock protects the process list, the states,
 * statuses and thread slots; process_exit_wq is where process_wait and
 * thread_join sleep. */
extern struct spinlock process_lock;
extern struct wait_queue process_exit_wq;
/* A fault from ring 3: reports it and ends the process (trap.c). */
__noreturn void process_fault(struct trap_frame *frame, uint64_t cr2);
struct process *current_process(void);
/* Child pid of parent, claimed for the caller (under process_lock): until
 * process_release_child (or process_try_wait), other
 * threads of the parent do not find it (two waits never free it twice). */
struct process *process_find_child(struct process *parent, uint32_t pid);
/* The running process pid (killed perhaps, not yet ended) or NULL;
 * process_lock held. */
struct process *process_find_locked(uint32_t pid);
unsigned process_count(void);
/* Collects child p (found by process_find_child) if it has ended: true,
 * its status in *status, and p is freed; false while it runs. */
bool process_try_wait(struct process *p, int *status);
/* kill(pid) for caller: marks the process killed with status (0),
 * -SYS_ESRCH when no such process runs, -SYS_EPERM when caller may not end
 * it. A process may end itself, its descendants and the other processes
 * of its session but its ancestors (docs/PROCESSES.md, "Sessions and
 * kill"); caller NULL is the kernel, which may end any. Any context (the
 * console's ^C comes from an interrupt handler). */
int process_kill(struct process *caller, uint32_t pid, int status);

/* Ends the calling thread if its process was killed (with kill_status: the
 * exit status, 137 for kill, 130 for ^C, a fault's), or ends the process
 * with the page-fault status if a page-in for user_copy found no memory.
 * Called where it returns to user mode or wakes up; no lock may be held. */
void process_check_killed(void);
/* Copies up to max records of the processes from the start-th: how many. */
size_t process_snapshot(struct sys_process_record *out, size_t start, size_t max);

/* Scheduler hook: FPU/SSE state and address space on every switch
 * (interrupts off, run-queue lock held). */
void process_switch(struct thread *prev, struct thread *next);

/* User memory access (kernel/proc/usercopy.c): the range must lie in the
 * user half and be mapped; 0 or -SYS_EFAULT. Never panics. */
int copy_from_user(void *dst, const void *user_src, size_t n);
int copy_to_user(void *user_dst, const void *src, size_t n);
bool user_range_ok(uint64_t addr, size_t n);
/* Copies the NUL-terminated user string at user_src into dst (max bytes):
 * its length, max when no NUL is within max bytes, or -SYS_EFAULT. */
long strncpy_from_user(char *dst, const char *user_src, size_t max);

/* thread.c: the gate functions thread_create / thread_join; futex.c:
 * futex_wait / futex_wake, and futex_wake_space (wakes every waiter of a
 * space so that a killed process's threads leave; under no lock). futex_sleeps counts the sleeps of futex_wait (tests). */
long sys_thread_create(long fn, long arg);
long sys_thread_join(long tid);
long sys_futex_wait(long addr, long expected, long timeout_ns);
long sys_futex_wake(long addr, long count);
void futex_wake_space(const struct address_space *space);
extern uint64_t futex_sleeps;
/* syscall.c: a process just marked killed may be waiting in read: wake it
 * (after process_lock is released; any context). */
void console_reader_killed(const struct process *p);
/* message.c: the gate functions send / receive. */
long sys_send(long pid, long value);
long sys_receive(long msg, long timeout_ns);
/* mapping.c: map / unmap, and demand paging of what map made.
 * mapping_create gives p its (empty) set of mappings: 0 or -SYS_ENOMEM.
 * mapping_destroy detaches the set from p under process_lock, then frees
 * every page of it and the set; no thread of p runs and no CPU has its
 * space loaded (the last thread's teardown).
 * mapping_fault handles a page fault at cr2 (any context a fault can
 * come from; never sleeps): true when it mapped the page (or another
 * thread just had), so the access is retried; false when the fault is
 * not a first touch of a page of a mapping — or when no physical page was
 * left, which it logs (the process ends with the page-fault status).
 * mapping_resident_pages: pages of p's mappings touched and not unmapped
 * (under process_lock, or while p runs: 0 once the set is detached);
 * mapping_resident_total: the same for every process (memory_stats).
 * mapping_fail_page_ins (tests): the next this many page-ins, of any
 * process, act as if no physical page were left. */
long sys_map(long len);
long sys_unmap(long addr, long len);
int mapping_create(struct process *p);
void mapping_destroy(struct process *p);
bool mapping_fault(struct trap_frame *frame, uint64_t cr2);
size_t mapping_resident_pages(const struct process *p);
size_t mapping_resident_total(void);
extern uint32_t mapping_fail_page_ins;
/* exec.c: a zeroed page at user address va of p, on p->pages (not mapped). */
int process_add_page(struct process *p, uint64_t va, uint64_t *pa);

/* run.c: the kernel console's `run NAME [ARG...]` (line is modified). */
void process_run_command(char *line);
/* run.c: starts the program "shell" on the console and waits for it to
 * end (the kernel monitor takes the console after it). Thread context. */
void process_run_shell(void);

/* exec.c: maps prog's image at USER_LOAD_BASE in p's space, relocated and
 * bound, and its stack with argv; sets p->entry and p->stack_pointer.
 * On error the pages taken are on p->pages (freed with the space). */
int process_exec(struct process *p, const struct program *prog, unsigned argc,
                 const char *const *argv);

/* The gate (gate.asm / syscall.c). */
void gate_init_cpu(void);
__noreturn void gate_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg);
