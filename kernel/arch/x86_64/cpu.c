/* cpu.c — per-CPU feature setup shared by the BSP and the APs. */
#include <wisp/cpu.h>
#include <wisp/percpu.h>
#include <wisp/process.h>

/* Called on every CPU once its GDT, IDT and local APIC are set up. */
void cpu_init_common(void)
{
    uint32_t a, b, c, d;
    cpuid(7, 0, &a, &b, &c, &d);
    uint64_t cr4 = read_cr4();
    if (b & (1u << 7))
        cr4 |= CR4_SMEP; /* ring 0 never executes user pages */
    if (b & (1u << 20))
        cr4 |= CR4_SMAP; /* ring 0 touches user pages only inside stac/clac */
    write_cr4(cr4);
    gate_init_cpu(); /* SYSCALL/SYSRET, FPU/SSE for user threads */
}
