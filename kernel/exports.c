/* exports.c — the core's exports: every function a module may import.
 *
 * This list is the core's ABI towards modules, in one place so that it can
 * be read and audited. Each entry gets a slot in the symbol table
 * (modload/symtab.h); a module that imports one of these calls it through
 * that slot. Inline functions in the core's headers that modules use call
 * some of these (preempt_enable_slow for preempt_enable, for example).
 */
#include "modload/symtab.h"
#include <wisp/printk.h>
#include <wisp/format.h>
#include <wisp/mm.h>
#include <wisp/sched.h>
#include <wisp/time.h>
#include <wisp/trap.h>
#include <wisp/apic.h>
#include <wisp/serial.h>
#include <wisp/pci.h>
#include <wisp/resource.h>
#include <wisp/interface.h>
#include <wisp/kconsole.h>
#include <wisp/percpu.h>
#include <rcu/rcu.h>
#include <locks/mutex.h>
#include <locks/lockdep.h>
#include <string.h>

/* Console and log */
EXPORT_SYMBOL(kprintf);
EXPORT_SYMBOL(klog);
EXPORT_SYMBOL(console_write);
EXPORT_SYMBOL(console_interrupt);
EXPORT_SYMBOL(panic);
EXPORT_SYMBOL(ksnprintf);
EXPORT_SYMBOL(kvsnprintf);

/* Memory */
EXPORT_SYMBOL(kmalloc);
EXPORT_SYMBOL(kzalloc);
EXPORT_SYMBOL(kfree);
EXPORT_SYMBOL(memcpy);
EXPORT_SYMBOL(memmove);
EXPORT_SYMBOL(memset);
EXPORT_SYMBOL(memcmp);
EXPORT_SYMBOL(strlen);
EXPORT_SYMBOL(strnlen);
EXPORT_SYMBOL(strcmp);
EXPORT_SYMBOL(strncmp);
EXPORT_SYMBOL(strlcpy);

/* Threads, time, sleeping */
EXPORT_SYMBOL(thread_create);
EXPORT_SYMBOL(thread_join);
EXPORT_SYMBOL(thread_detach);
EXPORT_SYMBOL(thread_exit);
EXPORT_SYMBOL(thread_yield);
EXPORT_SYMBOL(current_thread);
EXPORT_SYMBOL(sched_sleep_ns);
EXPORT_SYMBOL(preempt_enable_slow);
EXPORT_SYMBOL(wait_queue_init);
EXPORT_SYMBOL(wait_queue_wait);
EXPORT_SYMBOL(wake_up_one);
EXPORT_SYMBOL(wake_up_all);
EXPORT_SYMBOL(clock_ns);
EXPORT_SYMBOL(clock_delay_us);

/* Locks (the inline spinlock calls the validator in debug builds) */
EXPORT_SYMBOL(mutex_init);
EXPORT_SYMBOL(mutex_lock);
EXPORT_SYMBOL(mutex_trylock);
EXPORT_SYMBOL(mutex_unlock);
#if WISP_LOCKDEP_ENABLED
EXPORT_SYMBOL(lockdep_acquire);
EXPORT_SYMBOL(lockdep_release);
EXPORT_SYMBOL(lockdep_acquired_try);
EXPORT_SYMBOL(lockdep_might_sleep);
#endif

/* Epochs */
EXPORT_SYMBOL(rcu_synchronize);
EXPORT_SYMBOL(rcu_call);
EXPORT_SYMBOL(rcu_barrier);

/* Interrupts and devices (drivers are modules) */
EXPORT_SYMBOL(irq_register);
EXPORT_SYMBOL(ioapic_route_isa);
EXPORT_SYMBOL(serial_init);
EXPORT_SYMBOL(serial_putc);
EXPORT_SYMBOL(serial_getc);
EXPORT_SYMBOL(serial_enable_rx_irq);

/* Devices, resources and interfaces (kernel/dev/) */
EXPORT_SYMBOL(pci_function_count);
EXPORT_SYMBOL(pci_function_at);
EXPORT_SYMBOL(pci_find_device);
EXPORT_SYMBOL(pci_config_read32);
EXPORT_SYMBOL(pci_config_write32);
EXPORT_SYMBOL(pci_enable);
EXPORT_SYMBOL(pci_msi_enable);
EXPORT_SYMBOL(pci_msix_enable);
EXPORT_SYMBOL(vmm_map_mmio);
EXPORT_SYMBOL(resource_claim);
EXPORT_SYMBOL(resource_release);
EXPORT_SYMBOL(msi_vector_alloc);
EXPORT_SYMBOL(msi_vector_free);
EXPORT_SYMBOL(dma_alloc);
EXPORT_SYMBOL(dma_free);
EXPORT_SYMBOL(iface_instance_add);
EXPORT_SYMBOL(iface_instance_remove);
EXPORT_SYMBOL(iface_open);
EXPORT_SYMBOL(iface_close);
EXPORT_SYMBOL(iface_call);
EXPORT_SYMBOL(iface_method_index);

/* Per-CPU data (this_cpu() is inline; the array is data) */
EXPORT_DATA(cpus);
EXPORT_DATA(cpu_count);
