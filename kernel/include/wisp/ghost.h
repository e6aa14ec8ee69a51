/* ghost.h — the ghost area: what every process sees of the system's code
 * (kernel/proc/ghost.c; design in MODULES.md, "Ghost bindings").
 *
 * GHOST_PAGES pages at GHOST_VA in every process, from physical pages
 * allocated once at boot and shared by all processes, never writable from
 * user mode:
 *   GHOST_TABLE_VA        R    uint64_t entry[GHOST_MAX]: the user-mode
 *                              address that serves ghost function i
 *   GHOST_DATA_VA         R    data for ghost code (struct ghost_data)
 *   GHOST_TRAMPOLINES_VA  R+X  trampoline i: `jmp *entry[i](%rip)`; a
 *                              program's GOT entry for ghost function i
 *                              holds its trampoline's address
 *   GHOST_STUBS_VA        R+X  gate stub i: `mov $i, %eax; mov %rcx, %r10;
 *                              syscall; ret` — the only place a system call
 *                              with number i may come from
 *   GHOST_CODE_VA         R+X  ghost code that runs in user mode
 *
 * The addresses are shared with user code (the tests) and, as constants,
 * with kernel/arch/x86_64/gate.asm and kernel/proc/ghost_code.asm (their
 * ghost_layout.inc): ghost_init checks that they agree.
 */
#pragma once
#include <stdint.h>

#define GHOST_VA              0x00007ffffff80000ul
#define GHOST_PAGES           5
#define GHOST_TABLE_VA        (GHOST_VA + 0x0000)
#define GHOST_DATA_VA         (GHOST_VA + 0x1000)
#define GHOST_TRAMPOLINES_VA  (GHOST_VA + 0x2000)
#define GHOST_STUBS_VA        (GHOST_VA + 0x3000)
#define GHOST_CODE_VA         (GHOST_VA + 0x4000)
#define GHOST_MAX             256 /* ghost functions, gate and user */
#define GHOST_TRAMPOLINE_SIZE 8
#define GHOST_STUB_SIZE       16
#define GHOST_STUB_SYSCALL    8 /* offset of `syscall` in a stub */
/* ghost_code.asm's thread_return: thread_exit(eax), the return address of
 * every thread's function (kernel/proc/thread.c). */
#define GHOST_THREAD_RETURN_VA (GHOST_CODE_VA + 64)
/* The return address of gate stub i's system call: the gate's check. */
#define GHOST_STUB_RETURN(i) (GHOST_STUBS_VA + (i)*GHOST_STUB_SIZE + GHOST_STUB_SYSCALL + 2)

struct ghost_data {
    uint64_t boot_tsc; /* TSC at kernel entry */
    uint64_t ns_mult;  /* ns = ((tsc - boot_tsc) * ns_mult) >> 32, as clock_ns() */
};

#ifdef WISP_KERNEL
struct address_space;
struct process;

/* Boot, the init thread, before any process: allocates and fills the ghost
 * pages and registers the core's ghost functions (kernel/proc/ghost.wisp).
 * A manifest that disagrees with the code is a broken invariant: panic. */
void ghost_init(void);
/* Binds name for a program: the address of its trampoline (0), or non-zero
 * with *why saying why name is no ghost function. A user-callable module
 * export gets a ghost index on its first binding (its module is loaded on
 * demand from the image). Process context, may sleep. */
int ghost_bind(const char *name, uint64_t *address, const char **why);
/* Maps the ghost pages into as (read-only or read + execute, user). */
int ghost_map(struct address_space *as);
/* The physical page behind ghost page i (tests). */
uint64_t ghost_page_phys(unsigned i);
/* The ghost index of name, or -1. */
int ghost_index(const char *name);

/* The gate's table (kernel/proc/syscall.c): the kernel side of ghost
 * function i. Read-only after boot (its page and the page's direct-map
 * alias); syscall_table_set is its one writer (ghost.c: boot, and a module
 * export's first binding), syscall_table_seal makes it read-only (the end
 * of ghost_init). Process context, may sleep. */
extern const void *syscall_table[GHOST_MAX];
void syscall_table_set(unsigned index, const void *handler);
void syscall_table_seal(void);
#endif
