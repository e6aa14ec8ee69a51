/* syscall.h — the gate's system-call numbers and error codes.
 *
 * Shared by the kernel (kernel/proc/syscall.c) and user programs (the SDK's
 * stubs): plain #defines, no kernel types. Calling convention (SYSCALL):
 * rax = number, arguments in rdi, rsi, rdx, r10, r8, r9; the result comes
 * back in rax, a negative SYS_E* on error. rcx and r11 are clobbered by the
 * instruction itself; the gate also zeroes rdi, rsi, rdx, r8, r9, r10 on the
 * way out so no kernel value leaks. See docs/PROCESSES.md.
 *
 * The SDK installs this file as <wisp/syscall.h>: programs find the
 * records of the listing calls (process_list, ...) and the error codes here.
 */
#pragma once
#include <stdint.h>

/* Numbers (#defines, so assembly and the SDK's stubs use them too). */
#define SYS_EXIT          0  /* exit(int status): does not return */
#define SYS_SPAWN         1  /* spawn(name, len, argv, argc) -> pid */
#define SYS_WAIT          2  /* wait(long pid, int *status) -> 0 */
#define SYS_SLEEP         3  /* sleep(uint64_t ns) -> 0 */
#define SYS_TIME          4  /* time() -> ns since boot */
#define SYS_WRITE         5  /* write(const char *buf, size_t len) -> len (console) */
#define SYS_READ          6  /* read(char *buf, size_t len) -> bytes (console; blocks for >= 1) */
#define SYS_YIELD         7  /* yield() -> 0 */
#define SYS_GETPID        8  /* getpid() -> pid */
#define SYS_NULL          9  /* null() -> 0: measures the gate */
#define SYS_TRYWAIT       10 /* trywait(long pid, int *status) -> 0, -EAGAIN while it runs */
#define SYS_KILL          11 /* kill(long pid) -> 0: ends it at its next return to user mode */
#define SYS_PROCESS_LIST  12 /* process_list(records, start, max) -> records written */
#define SYS_MODULE_LIST   13 /* module_list(records, start, max) -> records written */
#define SYS_SYMBOL_LIST   14 /* symbol_list(records, start, max) -> records written */
#define SYS_MEMORY_STATS  15 /* memory_stats(record) -> 0 */
#define SYS_AUDIT         16 /* audit() -> findings; the report goes to the console */
#define SYS_THREAD_CREATE 17 /* thread_create(fn, arg) -> tid */
#define SYS_THREAD_EXIT   18 /* thread_exit(int status): does not return */
#define SYS_THREAD_JOIN   19 /* thread_join(long tid) -> its status */
#define SYS_FUTEX_WAIT    20 /* futex_wait(addr, expected, timeout_ns) -> 0 when woken */
#define SYS_FUTEX_WAKE    21 /* futex_wake(addr, count) -> waiters woken */
#define SYS_SEND          22 /* send(long pid, uint64_t value) -> 0, -EAGAIN when its mailbox is full */
#define SYS_RECEIVE       23 /* receive(struct sys_message *msg, timeout_ns) -> 0 */
#define SYS_SPAWN_ON      24 /* spawn_on(cpu, name, len, argv, argc) -> pid, on that CPU */
#define SYS_CPU           25 /* cpu() -> the CPU the caller runs on */
#define SYS_CONSOLE_FOREGROUND \
    26 /* console_foreground(pid) -> 0: ^C on the console ends child pid (0: none) */
/* anonymous memory (kernel/proc/mapping.c) */
#define SYS_MAP   27 /* map(len) -> len bytes of zeroed memory, paged in at first touch */
#define SYS_UNMAP 28 /* unmap(addr, len) -> 0: releases pages that map made */
/* devices, resources and interfaces (kernel/dev/, docs in MODULES.md) */
#define SYS_DEVICE_LIST    29 /* device_list(records, start, max) -> records written */
#define SYS_RESOURCE_LIST  30 /* resource_list(records, start, max) -> records written */
#define SYS_IFACE_OPEN     31 /* iface_open(iid, name) -> handle: an instance, held */
#define SYS_IFACE_CALL     32 /* iface_call(handle, iid, method, a0, a1) -> the method's result */
#define SYS_IFACE_CLOSE    33 /* iface_close(handle) -> 0 */
#define SYS_INTERFACE_LIST 34 /* interface_list(records, start, max) -> records written */
#define SYS_KCOV           35 /* kcov(mode, buf, max): kernel coverage of the calling thread (debug builds) */
#define SYS_COUNT          36

/* kcov's modes (kernel/proc/kcov.c) */
#define SYS_KCOV_OFF     0
#define SYS_KCOV_ON      1 /* collect up to max PCs */
#define SYS_KCOV_TAKE    2 /* copy up to max PCs to buf, empty the buffer: how many */
#define SYS_KCOV_MAX_PCS 65536

/* Errors, returned negated. */
#define SYS_EPERM   1  /* kill: the caller itself or one of its ancestors */
#define SYS_ENOENT  2  /* no such program */
#define SYS_ESRCH   3  /* kill, send: no such running process */
#define SYS_ENOEXEC 8  /* the program does not load (reason in the kernel log) */
#define SYS_ECHILD  10 /* no such child of the caller */
#define SYS_EAGAIN \
    11 /* trywait: the child still runs; futex_wait: *addr changed; thread_create: no free thread;
          send: the receiver's mailbox is full */
#define SYS_ENOMEM    12 /* map: the mapping area or the process's limit is exhausted */
#define SYS_EFAULT    14 /* a pointer outside the user half, or not mapped */
#define SYS_EINVAL    22
#define SYS_EBADF     9   /* iface_call, iface_close: not a handle of the caller's */
#define SYS_ENOTSUP   95  /* iface_call: the method is not user-callable */
#define SYS_ENOSYS    38  /* no such system call */
#define SYS_ETIMEDOUT 110 /* futex_wait, receive: the timeout passed */

/* Exit status of a process ended by a fault: 128 + the exception vector
 * (page fault 142, general protection 141, invalid opcode 134). */
#define SYS_EXIT_FAULT_BASE 128

/* Exit status of a process ended by kill (128 + 9, as a shell shows SIGKILL),
 * and by ^C on the console while it was the foreground program (128 + 2,
 * as SIGINT). */
#define SYS_EXIT_KILLED      137
#define SYS_EXIT_INTERRUPTED 130

/* A message (send / receive): a value and who sent it. A process's mailbox
 * holds up to SYS_MAILBOX_SLOTS messages, delivered oldest first. */
#define SYS_MAILBOX_SLOTS 32
struct sys_message {
    uint32_t from; /* the sender's pid */
    uint32_t reserved;
    uint64_t value;
};

/* The listing calls copy fixed-size records out: `max` records at most
 * (1..SYS_LIST_MAX), starting at the `start`-th entry of a snapshot taken
 * under the list's lock; fewer than max means the end was reached. */
#define SYS_LIST_MAX 64

enum sys_process_state { SYS_PROCESS_RUNNING, SYS_PROCESS_ZOMBIE, SYS_PROCESS_KILLED };

struct sys_process_record {
    uint32_t pid;
    uint32_t parent;  /* 0: started by the kernel */
    uint32_t state;   /* enum sys_process_state */
    uint32_t threads; /* ring-3 threads alive */
    uint32_t pages;   /* user pages of its own: image, stacks, touched map memory */
    char name[24];
};

struct sys_module_record {
    char name[32];
    uint32_t version; /* major << 16 | minor */
    uint32_t state;   /* 0 loading, 1 live, 2 unloading */
    uint32_t users;   /* modules importing from it */
    uint32_t exports;
    uint64_t size; /* bytes of the module area */
};

struct sys_symbol_record {
    char name[64];
    char module[32]; /* "core" for the core's exports */
    uint32_t slot;
    uint32_t bindings; /* importers bound to it (modules, processes) */
    uint32_t version;  /* owner's (major << 16 | minor); 0 for the core */
    uint32_t user_callable;
    char contract[48]; /* "context C, sleeps S, reentrant R", "" if none */
};

struct sys_memory_record {
    uint64_t page_size;
    uint64_t total_pages; /* physical pages the allocator manages */
    uint64_t free_pages;
    uint64_t heap_bytes;       /* kmalloc bytes in use */
    uint64_t heap_large_pages; /* pages in kmalloc's page runs */
    uint64_t processes;        /* processes alive */
    uint64_t module_pages;     /* pages of the module area in use */
    uint64_t mapped_pages;     /* pages of map() memory touched, every process */
};

/* device_list: one record per PCI function found at boot. */
#define SYS_DEVICE_BARS    6
#define SYS_DEVICE_VECTORS 8
struct sys_device_bar {
    uint64_t base, size; /* size 0: unused */
    uint32_t kind;       /* 0 none, 1 io, 2 mem32, 3 mem64 */
    uint32_t prefetchable;
};
struct sys_device_record {
    uint32_t address; /* bus << 8 | device << 3 | function */
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, irq_pin;
    uint8_t msi, msix; /* capabilities present */
    uint16_t msix_entries;
    uint32_t vector_count; /* interrupt vectors its owner holds for it */
    uint8_t vectors[SYS_DEVICE_VECTORS];
    struct sys_device_bar bars[SYS_DEVICE_BARS];
    char module[32];   /* the claiming module, "" when unclaimed */
    char instance[24]; /* the instance the claim serves, "" when none */
};

/* resource_list: one record per claim. */
struct sys_resource_record {
    uint32_t kind; /* 0 pci, 1 mmio, 2 ports, 3 irq, 4 vector, 5 dma */
    uint32_t shared;
    uint64_t first, last;
    uint32_t staged; /* claimed by a version not yet live (an update) */
    char kind_name[8];
    char module[32]; /* "core" for the core's own */
    char instance[24];
};

/* interface_list: interfaces, then under each its implementations
 * (classes), under each its instances, in that order. */
enum sys_interface_kind { SYS_IFACE_INTERFACE, SYS_IFACE_CLASS, SYS_IFACE_INSTANCE };
struct sys_interface_record {
    uint32_t kind;    /* enum sys_interface_kind */
    uint32_t version; /* the interface's major << 16 | minor */
    char iid[48];     /* the interface */
    char clsid[32];   /* class and instance records: the implementation */
    char module[32];  /* class and instance: its module */
    char name[24];    /* instance: its name */
    uint32_t methods; /* interface: its methods */
    uint32_t holders; /* instance: references held (kernel and programs) */
};
