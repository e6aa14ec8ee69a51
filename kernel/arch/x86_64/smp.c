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
#include <wisp/cpu.h>
#include <ck_spinlock.h>
#include <string.h>

#define TRAMPOLINE_PHYS   0x8000ul
#define TRAMPOLINE_PARAMS 0x8f00ul
#define AP_STACK_SIZE     (16 * 1024)

extern const uint8_t trampoline_start[], trampoline_end[];
static volatile unsigned online_count = 1;

struct trampoline_params {
    uint64_t cr3, stack_top, entry, cpu;
};

unsigned smp_online_count(void) { return online_count; }

void smp_send_resched(unsigned cpu) { lapic_send_ipi(cpus[cpu].apic_id, VEC_IPI_RESCHED); }

static void resched_ipi(struct trap_frame *f __unused) { this_cpu()->need_resched = true; }

/* Cross-CPU calls. One request at a time system-wide (call_lock); each
 * target CPU finds it in its mailbox, runs it, and decrements `pending`.
 * A CPU waiting for call_lock, or for acknowledgements, keeps serving its
 * own mailbox: two CPUs calling each other with interrupts off cannot
 * deadlock. */
struct call_request {
    void (*fn)(void *arg);
    void *arg;
    unsigned pending;
};

static struct call_request *mailbox[MAX_CPUS];
static ck_spinlock_fas_t call_lock = CK_SPINLOCK_FAS_INITIALIZER;

static void serve_mailbox(void)
{
    struct call_request *r = __atomic_exchange_n(&mailbox[cpu_id()], NULL, __ATOMIC_ACQUIRE);
    if (r) {
        r->fn(r->arg);
        __atomic_fetch_sub(&r->pending, 1, __ATOMIC_RELEASE);
    }
}

static void call_ipi(struct trap_frame *f __unused) { serve_mailbox(); }

void smp_call_others(void (*fn)(void *arg), void *arg)
{
    uint64_t flags = irq_save();
    while (!ck_spinlock_fas_trylock(&call_lock)) {
        serve_mailbox();
        cpu_relax();
    }
    /* pending is set in full before any target can see the request: a
     * target decrements it as soon as it has run fn, and an increment per
     * target interleaved with those decrements could lose one (and wait
     * for ever). */
    unsigned me = cpu_id(), targets = 0;
    bool target[MAX_CPUS];
    for (unsigned i = 0; i < cpu_count; i++) {
        target[i] = i != me && __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE);
        targets += target[i];
    }
    struct call_request r = { fn, arg, targets };
    for (unsigned i = 0; i < cpu_count; i++) {
        if (!target[i])
            continue;
        __atomic_store_n(&mailbox[i], &r, __ATOMIC_RELEASE); /* publishes r, pending included */
        lapic_send_ipi(cpus[i].apic_id, VEC_IPI_CALL);
    }
    while (__atomic_load_n(&r.pending, __ATOMIC_ACQUIRE)) {
        serve_mailbox();
        cpu_relax();
    }
    ck_spinlock_fas_unlock(&call_lock);
    irq_restore(flags);
}

struct flush_range {
    uint64_t va;
    size_t pages;
};

static void flush_local(void *arg)
{
    const struct flush_range *f = arg;
    if (f->pages > 64) {
        write_cr3(read_cr3()); /* global pages aside, flushes everything */
        return;
    }
    for (size_t i = 0; i < f->pages; i++)
        invlpg(f->va + i * PAGE_SIZE);
}

static void remote_tlb_flush(uint64_t va, size_t pages)
{
    struct flush_range f = { va, pages };
    smp_call_others(flush_local, &f);
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
    irq_register(VEC_IPI_CALL, call_ipi);
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
    vmm_set_remote_flush(remote_tlb_flush);
    vmm_unmap(TRAMPOLINE_PHYS);
    pr_info("smp: %u CPUs online\n", online_count);
}
