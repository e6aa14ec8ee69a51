# ghost — the core's ghost functions: what every program may call besides
# the user-callable exports of the loaded modules (MODULES.md, "Ghost
# bindings"). Embedded in the core (kernel/proc/ghost_manifest.asm) and read
# by the SDK (sdk/wisp-ghost) to make ghost.h and libghost.so.
#
# `runs gate`: ring 0, through the system-call gate; the function's ghost
# index is its system-call number (kernel/include/wisp/syscall.h), in this
# order. `runs user`: ghost code that runs in user mode from the shared
# ghost pages (kernel/proc/ghost_code.asm). Keep this file, syscall.h and
# kernel/proc/ghost.c in step (the kernel checks them against each other
# at boot).
module ghost
version 1.0
state none

export exit {                  # ends the calling process with status
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype _Noreturn void exit(int status)
}

export spawn {                  # starts program name with argc arguments argv (0: argv = { name }): its pid
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long spawn(const char *name, size_t len, const char *const *argv, size_t argc)
}

export wait {                  # waits for child pid to end: 0 and its exit status
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long wait(long pid, int *status)
}

export sleep {                  # sleeps at least ns nanoseconds
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long sleep(uint64_t ns)
}

export time {                  # nanoseconds since boot, read in the kernel
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype uint64_t time(void)
}

export write {                  # writes len bytes to the console
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long write(const char *buf, size_t len)
}

export read {                  # reads from the console; blocks for at least one byte
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long read(char *buf, size_t len)
}

export yield {                  # gives the CPU to another thread
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long yield(void)
}

export getpid {                  # the caller's pid
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long getpid(void)
}

export null {                  # does nothing: measures the gate
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long null(void)
}

export trywait {           # collects child pid if it has ended: 0 and its status, -EAGAIN while it runs
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long trywait(long pid, int *status)
}

export kill {              # ends process pid at its next return to user mode (not the caller or its ancestors)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long kill(long pid)
}

export process_list {      # copies up to max struct sys_process_record from the start-th process
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long process_list(void *records, size_t start, size_t max)
}

export module_list {       # copies up to max struct sys_module_record from the start-th module
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long module_list(void *records, size_t start, size_t max)
}

export symbol_list {       # copies up to max struct sys_symbol_record from the start-th symbol
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long symbol_list(void *records, size_t start, size_t max)
}

export memory_stats {      # fills one struct sys_memory_record
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long memory_stats(void *record)
}

export audit {             # prints the live contract audit on the console: the number of findings
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long audit(void)
}

export thread_create {      # starts fn(arg) on a new thread of the process, with its own stack: its tid (fn's result is its status)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long thread_create(int (*fn)(void *), void *arg)
}

export thread_exit {        # ends the calling thread with status (the process ends with its last thread)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype _Noreturn void thread_exit(int status)
}

export thread_join {        # waits for thread tid of the process to end: its status
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long thread_join(long tid)
}

export futex_wait {         # sleeps while *addr == expected until futex_wake (timeout_ns 0: no timeout)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long futex_wait(uint32_t *addr, uint32_t expected, uint64_t timeout_ns)
}

export futex_wake {         # wakes up to count threads waiting on addr: how many
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long futex_wake(uint32_t *addr, uint32_t count)
}

export send {               # puts value in process pid's mailbox, from the caller: 0, -EAGAIN when full, -ESRCH
    context process
    sleeps never
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long send(long pid, uint64_t value)
}

export receive {            # takes the oldest message of the caller's mailbox, sleeping until one comes (timeout_ns 0: no timeout)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long receive(struct sys_message *msg, uint64_t timeout_ns)
}

export spawn_on {           # spawn, with the new process's first thread on CPU cpu (-1: any; threads never migrate): its pid
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long spawn_on(long cpu, const char *name, size_t len, const char *const *argv, size_t argc)
}

export cpu {                # the CPU the calling thread runs on (threads never migrate)
    context process
    sleeps never
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long cpu(void)
}

export console_foreground { # ^C on the console ends child pid with status 130 (0: no foreground program)
    context process
    sleeps never
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long console_foreground(long pid)
}

export map {                # len bytes (rounded up to pages) of zeroed RW+NX memory, each page allocated at its first touch: the address
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype void *map(size_t len)
}

export unmap {              # releases [addr, addr + len) of memory that map made (its touched pages are freed): 0
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long unmap(void *addr, size_t len)
}

export device_list {        # PCI functions found at boot, from the start-th: records written (struct sys_device_record)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long device_list(void *records, size_t start, size_t max)
}

export resource_list {      # claims of hardware resources, from the start-th: records written (struct sys_resource_record)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long resource_list(void *records, size_t start, size_t max)
}

export iface_open {         # the instance named name (or the first of class name) of interface iid, held: a handle
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long iface_open(const char *iid, const char *name)
}

export iface_call {         # method number method of the handle's instance, which must be of interface iid: its result
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long iface_call(long handle, const char *iid, long method, long a0, long a1)
}

export iface_close {        # releases a handle of iface_open: 0
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long iface_close(long handle)
}

export interface_list {     # interfaces, their classes and instances, from the start-th: records written (struct sys_interface_record)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long interface_list(void *records, size_t start, size_t max)
}

export kcov {                   # kernel coverage of the calling thread for a fuzzer (mode SYS_KCOV_ON, _TAKE, _OFF): 0 or PCs copied; -ENOSYS in release builds
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update never
    runs gate
    prototype long kcov(long mode, uint64_t *buf, long max)
}

export clock_ns {               # nanoseconds since boot, from the TSC, in user mode
    context any
    sleeps never
    reentrant yes
    user-callable yes
    update never
    runs user
    prototype uint64_t clock_ns(void)
}
