/* trap.h — interrupt and exception entry (isr.asm) and dispatch (trap.c). */
#pragma once
#include <wisp/compiler.h>

/* Pushed by isr.asm on every interrupt, in this order (lowest address first). */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

enum {
    VEC_DIVIDE = 0,
    VEC_DEBUG = 1,
    VEC_NMI = 2,
    VEC_BREAKPOINT = 3,
    VEC_INVALID_OPCODE = 6,
    VEC_DOUBLE_FAULT = 8,
    VEC_GPF = 13,
    VEC_PAGE_FAULT = 14,
    VEC_MACHINE_CHECK = 18,
    VEC_IRQ_BASE = 0x30, /* IO-APIC lines 0..23 */
    VEC_TIMER = 0xf0,    /* LAPIC timer */
    VEC_IPI_RESCHED = 0xf1,
    VEC_IPI_CALL = 0xf2,
    VEC_IPI_HALT = 0xf3, /* panic: stop other CPUs */
    VEC_SPURIOUS = 0xff,
};

typedef void (*irq_handler_fn)(struct trap_frame *frame);

void idt_init(void);     /* builds the shared IDT (once, on the BSP) */
void idt_load(void);     /* loads it on the calling CPU */
void gdt_init_cpu(void); /* GDT and TSS of the calling CPU */
void irq_register(unsigned vector, irq_handler_fn fn);

/* A page-fault hook: returns true when it resolved the fault (used by tests
 * that provoke faults on purpose, and later by user processes). */
typedef bool (*fault_hook_fn)(struct trap_frame *frame, uint64_t addr);
void trap_set_fault_hook(fault_hook_fn fn);

void trap_dump(const struct trap_frame *f);
const char *trap_exception_name(unsigned vector); /* "page fault", ... */
