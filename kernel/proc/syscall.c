/* syscall.c — the system-call table behind the gate (gate.asm), and the
 * per-CPU set-up of SYSCALL/SYSRET.
 *
 * Every handler takes its arguments as untrusted 64-bit values: pointers
 * go through copy_from_user/copy_to_user, sizes are bounded, and a bad
 * argument returns -SYS_E..., never a panic. Handlers run in thread
 * context, preemptible, interrupts on; they may sleep.
 */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/cpu.h>
#include <wisp/printk.h>
#include <wisp/serial.h>
#include <wisp/kconsole.h>
#include <wisp/mm.h>
#include <wisp/ghost.h>
#include <wisp/boot.h>
#include <locks/mutex.h>
#include "modload/module.h"
#include "modload/symtab.h"
#include <string.h>

#define EFER_SCE      (1ul << 0)
#define RFLAGS_TF     (1ul << 8)
#define RFLAGS_IF     (1ul << 9)
#define RFLAGS_DF     (1ul << 10)
#define RFLAGS_NT     (1ul << 14)
#define RFLAGS_AC     (1ul << 18)
#define WRITE_MAX     (64 * 1024) /* longest console write */
#define WRITE_WHOLE   256         /* a write this long goes out unsplit */
#define NAME_MAX_USER 64

void syscall_entry(void);

static long sys_exit(long status) { process_exit((int)status); }

static long sys_thread_exit(long status) { process_thread_leave((int)status); }

/* Copies the user's argv (argc pointers at argv_ptr) into args: the
 * strings packed in args->strings, args->argv pointing into it. */
struct spawn_args {
    const char *argv[PROCESS_ARGS_MAX];
    uint64_t user_argv[PROCESS_ARGS_MAX];
    char strings[PROCESS_ARGS_BYTES];
};

static long copy_arguments(struct spawn_args *args, uint64_t argv_ptr, uint64_t argc)
{
    if (argc > PROCESS_ARGS_MAX)
        return -SYS_EINVAL;
    if (argc && copy_from_user(args->user_argv, (const void *)argv_ptr, argc * 8) != 0)
        return -SYS_EFAULT;
    size_t used = 0;
    for (uint64_t i = 0; i < argc; i++) {
        size_t room = sizeof(args->strings) - used;
        size_t max = room < PROCESS_ARG_LENGTH_MAX + 1 ? room : PROCESS_ARG_LENGTH_MAX + 1;
        long n = strncpy_from_user(args->strings + used, (const char *)args->user_argv[i], max);
        if (n < 0)
            return n;
        if ((size_t)n == max) /* no NUL: too long */
            return -SYS_EINVAL;
        args->argv[i] = args->strings + used;
        used += (size_t)n + 1;
    }
    return 0;
}

/* spawn_on(cpu, name, len, argv, argc): spawn with the new process's
 * first thread on CPU cpu (-1: the least loaded; threads never migrate, so
 * it stays there). */
static long sys_spawn_on(long cpu, long name_ptr, long len, long argv_ptr, long argc)
{
    char name[NAME_MAX_USER];
    if ((uint64_t)len == 0 || (uint64_t)len >= sizeof(name))
        return -SYS_EINVAL;
    if (copy_from_user(name, (const void *)name_ptr, (size_t)len) != 0)
        return -SYS_EFAULT;
    name[len] = '\0';
    struct spawn_args *args = kmalloc(sizeof(*args));
    if (!args)
        return -SYS_ENOMEM;
    long result = copy_arguments(args, (uint64_t)argv_ptr, (uint64_t)argc);
    if (!result && (cpu < -1 || cpu >= MAX_CPUS))
        result = -SYS_EINVAL; /* process_spawn_on checks the rest */
    const struct program *prog = result ? NULL : program_find(name);
    if (!result && !prog)
        result = -SYS_ENOENT;
    if (prog) {
        int err = 0;
        struct process *p =
            process_spawn_on(prog, (unsigned)argc, args->argv, current_process(), (int)cpu, &err);
        result = p ? (long)p->pid : err;
    }
    kfree(args);
    return result;
}

/* spawn(name, len, argv, argc): argc 0 runs the program with argv = { name }. */
static long sys_spawn(long name_ptr, long len, long argv_ptr, long argc)
{
    return sys_spawn_on(-1, name_ptr, len, argv_ptr, argc);
}

static long sys_cpu(void) { return cpu_id(); }

/* wait and trywait hand the status to the user before the child is freed:
 * a status pointer that faults (unmapped, read-only) returns -SYS_EFAULT
 * and leaves the child collectable, its status not lost. */
static long hand_status(struct process *child, int status, long status_ptr)
{
    if (status_ptr && copy_to_user((void *)status_ptr, &status, sizeof(status)) != 0) {
        process_release_child(child, false);
        return -SYS_EFAULT;
    }
    process_release_child(child, true);
    return 0;
}

static long sys_wait(long pid, long status_ptr)
{
    process_check_killed(); /* a blocking call: leave before, not only after */
    if (status_ptr && !user_range_ok((uint64_t)status_ptr, sizeof(int)))
        return -SYS_EFAULT;
    if (pid <= 0 || pid > UINT32_MAX) /* before the find: it claims the child */
        return -SYS_ECHILD;
    struct process *child = process_find_child(current_process(), (uint32_t)pid);
    if (!child)
        return -SYS_ECHILD;
    return hand_status(child, process_wait_child(child), status_ptr);
}

/* trywait(pid, status): wait without blocking (the shell's background jobs). */
static long sys_trywait(long pid, long status_ptr)
{
    int status;
    if (status_ptr && !user_range_ok((uint64_t)status_ptr, sizeof(status)))
        return -SYS_EFAULT;
    if (pid <= 0 || pid > UINT32_MAX)
        return -SYS_ECHILD;
    struct process *child = process_find_child(current_process(), (uint32_t)pid);
    if (!child)
        return -SYS_ECHILD;
    if (!process_child_status(child, &status)) {
        process_release_child(child, false);
        return -SYS_EAGAIN;
    }
    return hand_status(child, status, status_ptr);
}

/* kill(pid): the rule is process_kill's. A process that ends itself
 * leaves here, not at its next interrupt. */
static long sys_kill(long pid)
{
    if (pid <= 0 || pid > UINT32_MAX)
        return -SYS_ESRCH;
    long result = process_kill(current_process(), (uint32_t)pid, SYS_EXIT_KILLED);
    process_check_killed();
    return result;
}

/* Sleeps in slices of at most SLEEP_SLICE_NS so that a kill takes effect
 * within one slice (process_check_killed). ns is unsigned: a sleep that
 * would end past UINT64_MAX saturates there (sleeps until killed). */
#define SLEEP_SLICE_NS (10 * 1000 * 1000ul)

static long sys_sleep(long ns)
{
    uint64_t end = clock_deadline_ns((uint64_t)ns);
    for (uint64_t now = clock_ns(); now < end; now = clock_ns()) {
        process_check_killed();
        sched_sleep_ns(end - now < SLEEP_SLICE_NS ? end - now : SLEEP_SLICE_NS);
    }
    return 0;
}

static long sys_time(void) { return (long)clock_ns(); }

/* Copies through a stack chunk and hands each chunk to the console whole
 * (any bytes, NULs too): a write of at most WRITE_WHOLE bytes is never split
 * by another writer's output. */
static long sys_write(long buf, long len)
{
    char chunk[WRITE_WHOLE];
    if ((uint64_t)len > WRITE_MAX || !user_range_ok((uint64_t)buf, (size_t)len))
        return -SYS_EFAULT;
    for (long done = 0; done < len;) {
        size_t n = (size_t)(len - done) < sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
        if (copy_from_user(chunk, (const char *)buf + done, n) != 0)
            return done ? done : -SYS_EFAULT;
        console_write(chunk, n);
        done += (long)n;
    }
    return len;
}

/* The console's input belongs to its driver (modules/console: the UART
 * interrupt fills its ring), reached through console_getc's slot as the
 * kernel monitor does, so a live update of the driver reaches readers.
 * console_getc takes one reader at a time: read_lock serializes them (and
 * the lazy binding). Without the driver, the UART is polled every 1 ms.
 *
 * A reader whose process is ended (kill, ^C, exit from another thread)
 * must not sleep on until the next key: console_reader is the process in
 * console_getc, and console_reader_killed, called after the process is
 * marked killed, cancels the read (the driver's console_cancel_read: its
 * console_getc returns -1). The reader stores console_reader, then loads
 * killed; the killer stores killed, then loads console_reader, each with a
 * full fence between: one of them sees the other. */
static struct mutex read_lock = MUTEX_INIT(read_lock, "console-read");
static uint32_t getc_slot, cancel_slot; /* bound under read_lock */
static bool getc_bound, cancel_bound;   /* cancel_bound: published (release) */
static struct process *console_reader;  /* the process in read_byte, or NULL */

/* Binds the driver's console_getc and console_cancel_read once, before
 * the first reader publishes itself (so that its kill can cancel it);
 * read_lock held. */
static void bind_driver(void)
{
    if (getc_bound)
        return;
    struct mod_error err;
    getc_bound = module_bind("console_getc", &getc_slot, &err) == MOD_OK;
    if (getc_bound && module_bind("console_cancel_read", &cancel_slot, &err) == MOD_OK)
        __atomic_store_n(&cancel_bound, true, __ATOMIC_RELEASE);
}

static int read_byte(void)
{
    if (getc_bound)
        return ((int (*)(void))sym_slot_load(getc_slot))();
    int c;
    while ((c = serial_getc(COM1_PORT)) < 0 && !current_process()->killed)
        sched_sleep_ns(1000 * 1000);
    return c; /* -1: killed while it waited */
}

/* The console's foreground program: a child of the process that set it
 * (the shell, for the program it waits for). Pids are never reused, so a
 * stale one ends nothing. */
static uint32_t foreground_pid; /* 0: none */

static long sys_console_foreground(long pid)
{
    if (pid < 0 || pid > UINT32_MAX)
        return -SYS_ECHILD;
    if (pid) {
        struct process *self = current_process();
        uint64_t flags = spin_lock_irqsave(&process_lock);
        struct process *p = process_find_locked((uint32_t)pid);
        bool child = p && p->parent == self;
        spin_unlock_irqrestore(&process_lock, flags);
        if (!child)
            return -SYS_ECHILD;
    }
    __atomic_store_n(&foreground_pid, (uint32_t)pid, __ATOMIC_RELEASE);
    return 0;
}

void console_reader_killed(const struct process *p)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* killed is stored: see above */
    if (__atomic_load_n(&console_reader, __ATOMIC_SEQ_CST) == p &&
        __atomic_load_n(&cancel_bound, __ATOMIC_ACQUIRE))
        ((void (*)(void))sym_slot_load(cancel_slot))();
}

bool console_interrupt(void)
{
    uint32_t pid = __atomic_exchange_n(&foreground_pid, 0, __ATOMIC_ACQ_REL);
    return pid && process_kill(NULL, pid, SYS_EXIT_INTERRUPTED) == 0;
}

/* read(buf, len): one byte per call (it blocks until one is typed). A
 * process ended while it waits leaves at once (console_reader_killed);
 * another reader that meets a cancelled read just reads on. */
static long sys_read(long buf, long len)
{
    process_check_killed(); /* a blocking call: leave before, not only after */
    if (len <= 0)
        return len == 0 ? 0 : -SYS_EINVAL;
    if (!user_range_ok((uint64_t)buf, (size_t)len))
        return -SYS_EFAULT;
    struct process *self = current_process();
    mutex_lock(&read_lock);
    bind_driver();
    __atomic_store_n(&console_reader, self, __ATOMIC_SEQ_CST);
    int c = -1;
    while (!__atomic_load_n(&self->killed, __ATOMIC_SEQ_CST) && (c = read_byte()) < 0)
        ;
    __atomic_store_n(&console_reader, NULL, __ATOMIC_RELEASE);
    mutex_unlock(&read_lock);
    process_check_killed();
    char byte = (char)c;
    return copy_to_user((void *)buf, &byte, 1) == 0 ? 1 : -SYS_EFAULT;
}

static long sys_yield(void)
{
    thread_yield();
    return 0;
}

static long sys_getpid(void) { return (long)current_process()->pid; }

static long sys_null(void) { return 0; }

/* sysinfo.c */
long sys_process_list(long records, long start, long max);
long sys_module_list(long records, long start, long max);
long sys_symbol_list(long records, long start, long max);
long sys_memory_stats(long record);
long sys_audit(void);
/* kernel/dev/gate.c */
long sys_device_list(long records, long start, long max);
long sys_resource_list(long records, long start, long max);
long sys_iface_open(long iid, long name);
long sys_iface_call(long handle, long iid, long method, long a0, long a1);
long sys_iface_close(long handle);
long sys_interface_list(long records, long start, long max);
long sys_kcov(long mode, long buf, long max); /* kcov.c */

/* The core's gate functions, by system-call number: the ghost functions
 * of kernel/proc/ghost.wisp that `runs gate`. */
static const void *const core_calls[SYS_COUNT] = {
    [SYS_EXIT] = sys_exit,
    [SYS_SPAWN] = sys_spawn,
    [SYS_WAIT] = sys_wait,
    [SYS_SLEEP] = sys_sleep,
    [SYS_TIME] = sys_time,
    [SYS_WRITE] = sys_write,
    [SYS_READ] = sys_read,
    [SYS_YIELD] = sys_yield,
    [SYS_GETPID] = sys_getpid,
    [SYS_NULL] = sys_null,
    [SYS_TRYWAIT] = sys_trywait,
    [SYS_KILL] = sys_kill,
    [SYS_PROCESS_LIST] = sys_process_list,
    [SYS_MODULE_LIST] = sys_module_list,
    [SYS_SYMBOL_LIST] = sys_symbol_list,
    [SYS_MEMORY_STATS] = sys_memory_stats,
    [SYS_AUDIT] = sys_audit,
    [SYS_THREAD_CREATE] = sys_thread_create,
    [SYS_THREAD_EXIT] = sys_thread_exit,
    [SYS_THREAD_JOIN] = sys_thread_join,
    [SYS_FUTEX_WAIT] = sys_futex_wait,
    [SYS_FUTEX_WAKE] = sys_futex_wake,
    [SYS_SEND] = sys_send,
    [SYS_RECEIVE] = sys_receive,
    [SYS_SPAWN_ON] = sys_spawn_on,
    [SYS_CPU] = sys_cpu,
    [SYS_CONSOLE_FOREGROUND] = sys_console_foreground,
    [SYS_MAP] = sys_map,
    [SYS_UNMAP] = sys_unmap,
    [SYS_DEVICE_LIST] = sys_device_list,
    [SYS_RESOURCE_LIST] = sys_resource_list,
    [SYS_IFACE_OPEN] = sys_iface_open,
    [SYS_IFACE_CALL] = sys_iface_call,
    [SYS_IFACE_CLOSE] = sys_iface_close,
    [SYS_INTERFACE_LIST] = sys_interface_list,
    [SYS_KCOV] = sys_kcov,
};
static const char *const core_call_names[SYS_COUNT] = {
    [SYS_EXIT] = "exit",
    [SYS_SPAWN] = "spawn",
    [SYS_WAIT] = "wait",
    [SYS_SLEEP] = "sleep",
    [SYS_TIME] = "time",
    [SYS_WRITE] = "write",
    [SYS_READ] = "read",
    [SYS_YIELD] = "yield",
    [SYS_GETPID] = "getpid",
    [SYS_NULL] = "null",
    [SYS_TRYWAIT] = "trywait",
    [SYS_KILL] = "kill",
    [SYS_PROCESS_LIST] = "process_list",
    [SYS_MODULE_LIST] = "module_list",
    [SYS_SYMBOL_LIST] = "symbol_list",
    [SYS_MEMORY_STATS] = "memory_stats",
    [SYS_AUDIT] = "audit",
    [SYS_THREAD_CREATE] = "thread_create",
    [SYS_THREAD_EXIT] = "thread_exit",
    [SYS_THREAD_JOIN] = "thread_join",
    [SYS_FUTEX_WAIT] = "futex_wait",
    [SYS_FUTEX_WAKE] = "futex_wake",
    [SYS_SEND] = "send",
    [SYS_RECEIVE] = "receive",
    [SYS_SPAWN_ON] = "spawn_on",
    [SYS_CPU] = "cpu",
    [SYS_CONSOLE_FOREGROUND] = "console_foreground",
    [SYS_MAP] = "map",
    [SYS_UNMAP] = "unmap",
    [SYS_DEVICE_LIST] = "device_list",
    [SYS_RESOURCE_LIST] = "resource_list",
    [SYS_IFACE_OPEN] = "iface_open",
    [SYS_IFACE_CALL] = "iface_call",
    [SYS_IFACE_CLOSE] = "iface_close",
    [SYS_INTERFACE_LIST] = "interface_list",
    [SYS_KCOV] = "kcov",
};

long sys_nosys(void) { return -SYS_ENOSYS; }

/* Indexed by ghost index (gate.asm: only from gate stub i, i < GHOST_MAX).
 * Alone on its page (kernel.ld); read-only after boot, both its image
 * mapping and its direct-map alias (syscall_table_seal, from ghost_init).
 * syscall_table_set is its one writer, called by ghost.c only: at boot,
 * and when a module export gets an index (before any program can reach
 * its stub through a binding). It opens the direct-map alias for the one
 * store under table_lock, so a stray kernel write through either mapping
 * faults. */
const void *syscall_table[GHOST_MAX] __section(".syscall_table") __aligned(PAGE_SIZE);
_Static_assert(sizeof(syscall_table) <= PAGE_SIZE, "the system-call table is one page");

static struct mutex table_lock = MUTEX_INIT(table_lock, "syscall-table");
static bool table_sealed; /* under table_lock */

static uint64_t table_alias(void) { return (uint64_t)phys_to_virt(virt_to_phys(syscall_table)); }

static void table_protect(uint64_t va, unsigned flags)
{
    if (vmm_protect(va, flags | VM_GLOBAL) != 0)
        panic("syscall: cannot change the protection of the system-call table at %lx", va);
}

void syscall_table_set(unsigned index, const void *handler)
{
    if (index >= GHOST_MAX)
        panic("syscall: table index %u out of range", index);
    mutex_lock(&table_lock);
    const void **alias = (const void **)table_alias();
    if (table_sealed)
        table_protect((uint64_t)alias, VM_WRITE);
    __atomic_store_n(&alias[index], handler, __ATOMIC_RELEASE); /* pairs: the gate's load */
    if (table_sealed)
        table_protect((uint64_t)alias, 0);
    mutex_unlock(&table_lock);
}

void syscall_table_seal(void)
{
    mutex_lock(&table_lock);
    table_protect((uint64_t)syscall_table, 0);
    table_protect(table_alias(), 0);
    table_sealed = true;
    mutex_unlock(&table_lock);
}

const void *syscall_core_handler(unsigned number, const char **name)
{
    *name = number < SYS_COUNT ? core_call_names[number] : NULL;
    return number < SYS_COUNT ? core_calls[number] : NULL;
}

/* Every CPU, from cpu_init_common: the FPU/SSE for user code (the kernel
 * itself never touches it), then SYSCALL to syscall_entry with IF, TF, DF,
 * NT and AC cleared on entry. STAR: kernel CS 0x08 (SS 0x10); SYSRET's
 * base 0x10 gives user SS 0x18|3 and user CS 0x20|3 (gdt.c's layout). */
void gate_init_cpu(void)
{
    write_cr0((read_cr0() & ~(1ul << 2 | 1ul << 3)) | 1ul << 1); /* EM, TS off; MP on */
    write_cr4(read_cr4() | 1ul << 9 | 1ul << 10);                /* OSFXSR, OSXMMEXCPT */
    wrmsr(MSR_STAR, (0x10ul << 48) | (0x08ul << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
