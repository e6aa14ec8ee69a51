# core — the contract of every function and datum the core exports to
# modules (kernel/exports.c). Built into the core (mk/gen-core-manifest.sh)
# so that the loader checks module imports of core symbols like imports of
# module symbols. The core is never replaced: every export says
# `update never`. Keep this file and kernel/exports.c in step (the core's
# in-kernel tests check that they list the same names).
module core
version 1.0
state none

# ---- Console and log

export kprintf {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export klog {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export console_write {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export console_interrupt {      # ^C: ends the console's foreground program; true when one was
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export panic {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export ksnprintf {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export kvsnprintf {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

# ---- Memory (the slab caches take spinlocks and never sleep)

export kmalloc {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export kzalloc {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export kfree {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export memcpy {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export memmove {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export memset {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export memcmp {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export strlen {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export strnlen {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export strcmp {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export strncmp {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export strlcpy {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

# ---- Threads, time, sleeping

export thread_create {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export thread_join {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export thread_detach {
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export thread_exit {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export thread_yield {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export current_thread {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export sched_sleep_ns {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export preempt_enable_slow {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export wait_queue_init {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export wait_queue_wait {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export wake_up_one {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export wake_up_all {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export clock_ns {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export clock_delay_us {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

# ---- Locks (mutex_lock sleeps; trylock and unlock do not, but are for threads)

export mutex_init {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export mutex_lock {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export mutex_trylock {
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export mutex_unlock {
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export lockdep_acquire {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export lockdep_release {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export lockdep_acquired_try {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export lockdep_might_sleep {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

# ---- Epochs

export rcu_synchronize {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export rcu_call {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export rcu_barrier {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

# ---- Interrupts and devices (set up from a driver's init)

export irq_register {
    context process
    sleeps never
    reentrant no
    user-callable no
    update never
}

export ioapic_route_isa {
    context process
    sleeps never
    reentrant no
    user-callable no
    update never
}

export serial_init {
    context process
    sleeps never
    reentrant no
    user-callable no
    update never
}

export serial_putc {
    context any
    sleeps never
    reentrant no
    user-callable no
    update never
}

export serial_getc {
    context any
    sleeps never
    reentrant no
    user-callable no
    update never
}

export serial_enable_rx_irq {
    context process
    sleeps never
    reentrant no
    user-callable no
    update never
}

# ---- Per-CPU data (EXPORT_DATA: read in place, never swapped)

export cpus {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export cpu_count {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}
