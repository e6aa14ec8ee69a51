/* gdt.c — per-CPU GDT and TSS, and the GS base that reaches struct cpu.
 *
 * Selector layout (fixed; SYSCALL/SYSRET derive selectors from STAR):
 *   0x08 kernel code, 0x10 kernel data, 0x18 user data, 0x20 user code,
 *   0x28 TSS (two slots). */
#include <wisp/percpu.h>
#include <wisp/trap.h>
#include <wisp/cpu.h>
#include <string.h>

struct cpu cpus[MAX_CPUS];
unsigned cpu_count = 1;

/* Stacks for faults that must not run on a possibly broken stack. */
static uint8_t double_fault_stacks[MAX_CPUS][8192] __aligned(16);
static uint8_t nmi_stacks[MAX_CPUS][8192] __aligned(16);

struct gdt_pointer {
    uint16_t limit;
    uint64_t base;
} __packed;

void percpu_init(struct cpu *c, uint32_t id, uint32_t apic_id)
{
    c->self = c;
    c->id = id;
    c->apic_id = apic_id;
}

void percpu_init_bsp(void)
{
    percpu_init(&cpus[0], 0, 0);
    wrmsr(MSR_GS_BASE, (uint64_t)&cpus[0]);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void gdt_init_cpu(void)
{
    struct cpu *c = this_cpu();
    uint64_t tss = (uint64_t)&c->tss;
    uint64_t limit = sizeof(c->tss) - 1;

    memset(&c->tss, 0, sizeof(c->tss));
    c->tss.ist[0] = (uint64_t)&double_fault_stacks[c->id][sizeof(double_fault_stacks[0])];
    c->tss.ist[1] = (uint64_t)&nmi_stacks[c->id][sizeof(nmi_stacks[0])];
    c->tss.iomap_base = sizeof(c->tss); /* no I/O bitmap: ring 3 gets no ports */

    c->gdt[0] = 0;
    c->gdt[1] = 0x00af9a000000ffff; /* kernel code, 64-bit */
    c->gdt[2] = 0x00cf92000000ffff; /* kernel data */
    c->gdt[3] = 0x00cff2000000ffff; /* user data, DPL 3 */
    c->gdt[4] = 0x00affa000000ffff; /* user code, 64-bit, DPL 3 */
    c->gdt[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ul << 40) |
                ((limit >> 16 & 0xf) << 48) | ((tss >> 24 & 0xff) << 56);
    c->gdt[6] = tss >> 32;

    struct gdt_pointer p = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };
    __asm__ volatile("lgdt %0\n\t"
                     "pushq $0x08\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw $0x10, %%ax\n\t"
                     "movw %%ax, %%ds\n\t"
                     "movw %%ax, %%es\n\t"
                     "movw %%ax, %%ss\n\t"
                     "movw $0x28, %%ax\n\t"
                     "ltr %%ax" ::"m"(p)
                     : "rax", "memory");
}
