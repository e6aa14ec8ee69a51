/* process.h — user processes: an address space, a ring-3 thread, an exit
 * status and a parent that waits for it (kernel/proc/).
 *
 * Layout of the user half (below USER_TOP; nothing is ever mapped above):
 *   USER_CODE_VA   the program's code (R+X) and, after it, data (RW+NX)
 *   USER_STACK_TOP the user stack grows down from here (RW+NX)
 * The kernel half is the kernel's (vmm_space_create), never VM_USER.
 *
 * Lifetime: process_spawn creates the process and starts its thread.
 * The thread ends by SYS_EXIT or by a fault (trap.c -> process_fault); it
 * tears down the address space itself, records the status and wakes
 * waiters. The parent (or the kernel, parent NULL) reaps it with
 * process_wait, which frees the struct.
 */
#pragma once
#include <wisp/compiler.h>
#include <wisp/list.h>
#include <wisp/syscall.h>

#define USER_CODE_VA     0x0000000000400000ul
#define USER_STACK_TOP   0x00007ffffff00000ul
#define USER_STACK_PAGES 8
#define USER_TOP         0x00007ffffffff000ul /* first address never mapped */
#define PROCESS_NAME_MAX 24

struct address_space;
struct thread;
struct trap_frame;

/* A program the kernel may run: for now flat code (loaded at USER_CODE_VA,
 * entry at its first byte) with data_pages of zeroed RW data after it. */
struct program {
    const char *name;
    const uint8_t *code;
    size_t code_size;
    size_t data_pages;
};

struct user_page {
    uint64_t va, pa;
    struct user_page *next;
};

enum process_state { PROCESS_RUNNING, PROCESS_ZOMBIE };

struct process {
    uint32_t pid;
    char name[PROCESS_NAME_MAX];
    enum process_state state; /* under process_lock */
    int exit_status;          /* valid once PROCESS_ZOMBIE */
    struct process *parent;   /* NULL: the kernel reaps it */
    bool orphan;              /* parent ended first: frees itself */
    struct address_space *space;
    struct user_page *pages; /* every page mapped in the user half */
    const struct program *program;
    struct list_node node; /* on the process list */
};

/* Programs that spawn can find by name. register keeps the pointer. */
void program_register(const struct program *prog);
const struct program *program_find(const char *name);

/* Starts prog in a new process; returns it, or NULL with *error set
 * (-SYS_E...). Thread context, may sleep. */
struct process *process_spawn(const struct program *prog, struct process *parent, int *error);
/* Waits for p to end, frees it and returns its exit status. Only p's
 * parent (or any kernel thread when the parent is NULL) may call it. */
int process_wait(struct process *p);
/* Ends the calling process with status. Never returns. */
__noreturn void process_exit(int status);
/* A fault from ring 3: reports it and ends the process (trap.c). */
__noreturn void process_fault(struct trap_frame *frame, uint64_t cr2);
struct process *current_process(void);
struct process *process_find_child(struct process *parent, uint32_t pid);
unsigned process_count(void);

/* Scheduler hook: FPU/SSE state and address space on every switch
 * (interrupts off, run-queue lock held). */
void process_switch(struct thread *prev, struct thread *next);

/* User memory access (kernel/proc/usercopy.c): the range must lie in the
 * user half and be mapped; 0 or -SYS_EFAULT. Never panics. */
int copy_from_user(void *dst, const void *user_src, size_t n);
int copy_to_user(void *user_dst, const void *src, size_t n);
bool user_range_ok(uint64_t addr, size_t n);

/* The gate (gate.asm / syscall.c). */
void gate_init_cpu(void);
__noreturn void gate_enter_user(uint64_t rip, uint64_t rsp, uint64_t arg);
