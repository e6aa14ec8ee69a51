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

export pci_function_count {      # the PCI functions found at boot (kernel/dev/pci.c)
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_function_at {         # the list never changes after boot: no lock
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_find_device {         # the index-th function with vendor:device
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_config_read32 {       # ECAM, or the legacy ports under a leaf spinlock
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_config_write32 {      # the same
    context any
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_enable {              # memory and I/O decoding, bus mastering
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_msi_enable {          # points MSI at a vector
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export pci_msix_enable {         # programs one MSI-X table entry
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export vmm_map_mmio {            # device registers, uncached (mmio_lock, a spinlock)
    context process
    sleeps never
    reentrant yes
    user-callable no
    update never
}

export resource_claim {          # the resource registry's mutex (kernel/dev/resource.c)
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export resource_release {        # the same
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export msi_vector_alloc {        # a vector for MSI, claimed for the caller (msi.c)
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export msi_vector_free {         # the same
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export dma_alloc {               # contiguous pages below 4 GiB, claimed (dma.c)
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export dma_free {                # the same
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export iface_instance_add {      # the interface registry's mutex (interface.c)
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export iface_instance_remove {   # the same
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export iface_open {              # the same
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export iface_close {             # the same
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export iface_call {              # runs the method: it may sleep if the method does
    context process
    sleeps may
    reentrant yes
    user-callable no
    update never
}

export iface_method_index {      # reads the instance's interface
    context any
    sleeps never
    reentrant yes
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
