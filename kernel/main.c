/* main.c — kernel_entry: brings the core up in dependency order. */
#include <wisp/ghost.h>
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <wisp/serial.h>
#include <wisp/percpu.h>
#include <wisp/trap.h>
#include <wisp/time.h>
#include <wisp/apic.h>
#include <wisp/fwcfg.h>
#include <wisp/ktest.h>
#include <wisp/kbench.h>
#include <wisp/torture.h>
#include <wisp/mm.h>
#include <wisp/sched.h>
#include <wisp/smp.h>
#include <wisp/kconsole.h>
#include <wisp/process.h>
#include <wisp/cpu.h>
#include <wisp/pci.h>
#include <wisp/initcall.h>
#include <rcu/rcu.h>
#include "modload/symtab.h"
#include "modload/module.h"
#include <string.h>

void cpu_init_common(void);

/* GRUB's command line plus what fw_cfg adds (the test driver uses it). */
static char cmdline[512];

static void merge_cmdline(void)
{
    size_t n = strlcpy(cmdline, boot_info.cmdline, sizeof(cmdline));
    if (n + 2 < sizeof(cmdline)) {
        long got = fwcfg_read_file("opt/wisp/cmdline", cmdline + n + 1, sizeof(cmdline) - n - 2);
        if (got > 0) {
            cmdline[n] = ' ';
            size_t len = MIN((size_t)got, sizeof(cmdline) - n - 2);
            cmdline[n + 1 + len] = 0;
        }
    }
    boot_info.cmdline = cmdline;
}

extern const initcall_fn __initcalls_start[], __initcalls_end[];

void initcalls_run(void)
{
    for (const initcall_fn *fn = __initcalls_start; fn < __initcalls_end; fn++)
        (*fn)();
}

static void init_thread(void *arg __unused)
{
    ghost_init();  /* the ghost pages every process maps */
    pci_init();    /* the PCI functions, before the drivers */
    module_boot(); /* verify the image, load the boot configuration */
    uint64_t ms = tsc_to_ns(rdtsc() - boot_tsc) / NSEC_PER_MSEC;
    if (kbench_mode()) {
        pr_info("boot: %lu ms from kernel entry to the first benchmark\n", ms);
        kbench_run_selected();
        qemu_exit(QEMU_EXIT_PASS);
    }
    if (torture_mode())
        qemu_exit(torture_run_selected() ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
    if (boot_test_mode()) {
        pr_info("boot: %lu ms from kernel entry to the first test\n", ms);
        qemu_exit(ktest_run_selected() ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
    }
    initcalls_run(); /* services: the live-update line over COM2, ... */
    pr_info("boot: %lu ms from kernel entry to the console prompt\n", ms);
    if (!boot_arg("monitor"))
        process_run_shell(); /* returns when the shell has ended */
    kconsole_run();          /* the kernel monitor: `monitor`, or after the shell */
}

void kernel_entry(uint32_t info_phys, uint32_t magic)
{
    boot_tsc = rdtsc();
    serial_init(COM1_PORT);
    percpu_init_bsp();
    gdt_init_cpu();
    idt_init();
    idt_load();
    multiboot2_parse(info_phys, magic);
    merge_cmdline();
    kprintf("\nWisp — hot-swappable module kernel\n");
    pr_info("cmdline: %s\n", boot_info.cmdline);
    clock_init();

    mm_init();
    acpi_init();
    lapic_init();
    cpus[0].apic_id = lapic_id();
    lapic_timer_calibrate();
    ioapic_init();
    cpu_init_common();
    sched_init();
    smp_boot_aps();
    rcu_init(); /* per-CPU epoch records, reclaimer thread */
    sym_init(); /* the table of slots and the core's exports */
    thread_create("init", init_thread, NULL, 0);
    sched_start(); /* this boot context becomes cpu0's idle thread */
}
