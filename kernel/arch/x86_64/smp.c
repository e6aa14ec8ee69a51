/* smp.c — starts the application processors (INIT-SIPI-SIPI) one by one.
 *
 * Each AP runs the trampoline at 0x8000, lands in ap_entry with its own
 * stack and struct cpu, sets up its GDT/TSS/IDT and local APIC timer, and
 * becomes that CPU's idle thread in sched_start(). */
#include <wisp/smp.h>
#include <wisp/apic.h>
#include <wisp/percpu.h>
#include <wisp/trap.h>
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/time.h>
#include <wisp/sched.h>
#include <wisp/printk.h>
#include <string.h>

#define TRAMPOLINE_PHYS 0x8000ul
#define TRAMPOLINE_PARAMS 0x8f00ul
#define AP_STACK_SIZE (16 * 1024)

extern const uint8_t trampoline_start[], trampoline_end[];
static volatile unsigned online_count = 1;

struct trampoline_params {
    uint64_t cr3, stack_top, entry, cpu;
};

unsigned smp_online_count(void)
{
    return online_count;
}

void smp_send_resched(unsigned cpu)
{
    lapic_send_ipi(cpus[cpu].apic_id, VEC_IPI_RESCHED);
}

static void resched_ipi(struct trap_frame *f __unused)
{
    this_cpu()->need_resched = true;
}

void cpu_init_common(void);

static __noreturn void ap_entry(struct cpu *c)
{
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    gdt_init_cpu();
    idt_load();
    lapic_init();
    cpu_init_common();
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    __atomic_fetch_add(&online_count, 1, __ATOMIC_RELEASE);
    sched_start();
}

static bool start_ap(struct cpu *c)
{
    void *stack = kmalloc(AP_STACK_SIZE);
    if (!stack)
        return false;
    struct trampoline_params *p = phys_to_virt(TRAMPOLINE_PARAMS);
    p->cr3 = vmm_kernel_pml4_phys();
    p->stack_top = (uint64_t)stack + AP_STACK_SIZE;
    p->entry = (uint64_t)ap_entry;
    p->cpu = (uint64_t)c;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    lapic_send_init(c->apic_id);
    clock_delay_us(10000);
    for (int attempt = 0; attempt < 2 && !c->online; attempt++) {
        lapic_send_startup(c->apic_id, TRAMPOLINE_PHYS >> 12);
        /* TCG can be slow to run a new vCPU: wait up to a second. */
        uint64_t deadline = clock_ns() + NSEC_PER_SEC;
        while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && clock_ns() < deadline)
            cpu_relax();
    }
    return c->online;
}

void smp_boot_aps(void)
{
    irq_register(VEC_IPI_RESCHED, resched_ipi);
    size_t size = trampoline_end - trampoline_start;
    memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start, size);
    if (vmm_map(TRAMPOLINE_PHYS, TRAMPOLINE_PHYS, VM_EXEC | VM_WRITE) != 0)
        panic("smp: cannot identity-map the AP trampoline");

    uint32_t bsp = lapic_id();
    unsigned next = 1;
    for (unsigned i = 0; i < madt.cpu_count; i++) {
        uint32_t apic = madt.cpu_apic_ids[i];
        if (apic == bsp)
            continue;
        struct cpu *c = &cpus[next];
        percpu_init(c, next, apic);
        if (!start_ap(c)) {
            pr_err("smp: CPU with APIC id %u did not start\n", apic);
            continue;
        }
        next++;
    }
    cpu_count = next;
    vmm_unmap(TRAMPOLINE_PHYS);
    pr_info("smp: %u CPUs online\n", online_count);
}
