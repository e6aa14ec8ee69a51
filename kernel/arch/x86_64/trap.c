/* trap.c — the IDT, exception reports and interrupt dispatch. */
#include <wisp/trap.h>
#include <wisp/percpu.h>
#include <wisp/printk.h>
#include <wisp/cpu.h>
#include <wisp/ksyms.h>
#include <wisp/apic.h>
#include <wisp/probe.h>
#include <wisp/sched.h>
#include <wisp/process.h>

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __packed;

extern const uint64_t isr_table[256];
static struct idt_entry idt[256] __aligned(16);
static irq_handler_fn handlers[256];
static fault_hook_fn fault_hook;

static const char *const exception_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 FP",
    "alignment check",
    "machine check",
    "SIMD FP",
    "virtualization",
    "control protection",
};

const char *trap_exception_name(unsigned vector)
{
    return vector < 32 && exception_names[vector] ? exception_names[vector] : "exception";
}

static void idt_set(unsigned vector, uint64_t handler, uint8_t ist, uint8_t dpl)
{
    idt[vector] = (struct idt_entry){
        .offset_low = handler & 0xffff,
        .selector = 0x08,
        .ist = ist,
        .type = 0x8e | (dpl << 5), /* present, interrupt gate */
        .offset_mid = (handler >> 16) & 0xffff,
        .offset_high = handler >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, isr_table[v], 0, 0);
    idt_set(VEC_DOUBLE_FAULT, isr_table[VEC_DOUBLE_FAULT], 1, 0);
    idt_set(VEC_NMI, isr_table[VEC_NMI], 2, 0);
}

void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed p = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" ::"m"(p));
}

void irq_register(unsigned vector, irq_handler_fn fn) { handlers[vector] = fn; }

void trap_set_fault_hook(fault_hook_fn fn) { fault_hook = fn; }

void trap_dump(const struct trap_frame *f)
{
    char sym[96];
    ksyms_format(f->rip, sym, sizeof(sym));
    kprintf("  rip %016lx %s\n", f->rip, sym);
    kprintf("  cs %04lx rflags %016lx rsp %016lx ss %04lx error %lx\n", f->cs, f->rflags, f->rsp,
            f->ss, f->error);
    kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("  r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
    kprintf("  cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx\n", read_cr0(), read_cr2(), read_cr3(),
            read_cr4());
}

__noreturn void panic_with_frame(const struct trap_frame *f, const char *fmt, ...);

/* A write into a guard page of the stack area (kstack.c): a thread ran off
 * its kernel stack. Its page fault could not push a frame on that stack
 * either, so this is usually the double fault, on its own IST stack. */
static void check_stack_overflow(const struct trap_frame *f, uint64_t cr2)
{
    uint64_t bottom;
    if ((f->vector != VEC_DOUBLE_FAULT && f->vector != VEC_PAGE_FAULT) ||
        !kstack_guard_hit(cr2, &bottom))
        return;
    struct thread *t = current_thread();
    bool own = t && (uint64_t)t->stack == bottom;
    panic_with_frame(f,
                     "kernel stack overflow: thread %s (id %u) ran into the guard page at %016lx "
                     "below %s stack %016lx-%016lx (%s)",
                     t ? thread_name(t) : "boot", t ? t->id : 0, cr2,
                     own ? "its" : "another thread's", bottom, bottom + KSTACK_SIZE,
                     f->vector == VEC_DOUBLE_FAULT ? "double fault" : "page fault");
}

static void exception(struct trap_frame *f)
{
    uint64_t cr2 = read_cr2();
    /* First touch of a page of map() (from user mode or user_copy): paged in. */
    if (f->vector == VEC_PAGE_FAULT && mapping_fault(f, cr2))
        return;
    if (probe_fixup(f))
        return;
    check_stack_overflow(f, cr2); /* after the probes: they may test a guard page */
    if (f->vector == VEC_PAGE_FAULT && fault_hook && fault_hook(f, cr2))
        return;
    /* A fault of user code ends that process only (not NMI, double fault
     * or machine check: those say nothing about the process). */
    if ((f->cs & 3) == 3 && f->vector != VEC_NMI && f->vector != VEC_DOUBLE_FAULT &&
        f->vector != VEC_MACHINE_CHECK)
        process_fault(f, cr2);
    const char *name =
        f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector] : "exception";
    if (f->vector == VEC_PAGE_FAULT)
        panic_with_frame(f, "%s at %016lx (%s %s%s)", name, cr2,
                         f->error & 1 ? "protection violation" : "not present",
                         f->error & 2    ? "write"
                         : f->error & 16 ? "fetch"
                                         : "read",
                         f->error & 4 ? ", user" : "");
    panic_with_frame(f, "%s (vector %lu)", name, f->vector);
}

void trap_dispatch(struct trap_frame *f)
{
    struct cpu *c = this_cpu();
    if (f->vector < 32) {
        exception(f);
        return;
    }
    c->irq_depth++;
    irq_handler_fn fn = handlers[f->vector];
    if (fn)
        fn(f);
    else if (f->vector != VEC_SPURIOUS)
        pr_warn("unexpected interrupt vector %lu on cpu%u\n", f->vector, c->id);
    if (f->vector != VEC_SPURIOUS)
        lapic_eoi();
    c->irq_depth--;
    sched_irq_exit();
    if ((f->cs & 3) == 3) /* back to ring 3: a killed process ends here */
        process_check_killed();
}
