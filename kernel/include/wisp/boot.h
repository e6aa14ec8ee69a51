/* boot.h — what the boot loader told us (multiboot2), and the command line. */
#pragma once
#include <wisp/compiler.h>

#define KERNEL_VMA 0xffffffff80000000ul
#define HHDM_BASE  0xffff800000000000ul /* all physical memory is mapped here */

static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + HHDM_BASE); }
static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - HHDM_BASE;
}

#define BOOT_MAX_REGIONS 64

struct mem_region {
    uint64_t base, length;
    uint32_t type; /* 1 = usable RAM, as in multiboot2 */
};

struct boot_module {
    uint64_t start, end; /* physical */
    const char *cmdline;
};

struct boot_info {
    const char *cmdline;
    struct mem_region regions[BOOT_MAX_REGIONS];
    unsigned region_count;
    uint64_t rsdp_phys; /* 0 when GRUB gave none */
    struct boot_module modules[8];
    unsigned module_count;
    uint64_t info_phys, info_size; /* the multiboot2 structure itself */
};

extern struct boot_info boot_info;

void multiboot2_parse(uint64_t info_phys, uint32_t magic);

/* Command line: "key=value" words; returns the value (NULL when absent), or
 * "" for a bare word. The pointer stays valid; values end at a space. */
const char *boot_arg(const char *key);
/* Copies the value of key into buf (truncated); returns false when absent. */
bool boot_arg_copy(const char *key, char *buf, size_t size);
bool boot_test_mode(void);

/* isa-debug-exit: QEMU exits with status (code << 1) | 1. */
enum qemu_exit_code { QEMU_EXIT_PASS = 0x10, QEMU_EXIT_FAIL = 0x11, QEMU_EXIT_PANIC = 0x12 };
__noreturn void qemu_exit(enum qemu_exit_code code);
