/* multiboot2.c — reads GRUB's boot information into struct boot_info. */
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <wisp/cpu.h>
#include <string.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289

enum {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_MODULE = 3,
    TAG_MMAP = 6,
    TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15,
};

struct tag {
    uint32_t type, size;
};
struct mmap_entry {
    uint64_t base, length;
    uint32_t type, reserved;
};

struct boot_info boot_info;

static void parse_mmap(const struct tag *t)
{
    const uint32_t *hdr = (const uint32_t *)(t + 1);
    uint32_t entry_size = hdr[0];
    const uint8_t *p = (const uint8_t *)(hdr + 2);
    const uint8_t *end = (const uint8_t *)t + t->size;
    for (; p + entry_size <= end && boot_info.region_count < BOOT_MAX_REGIONS; p += entry_size) {
        const struct mmap_entry *e = (const void *)p;
        boot_info.regions[boot_info.region_count++] =
            (struct mem_region){ e->base, e->length, e->type };
    }
}

void multiboot2_parse(uint64_t info_phys, uint32_t magic)
{
    if (magic != MB2_BOOTLOADER_MAGIC)
        panic("not booted by a multiboot2 loader (magic %x)", magic);
    const uint8_t *info = phys_to_virt(info_phys);
    boot_info.info_phys = info_phys;
    boot_info.info_size = *(const uint32_t *)info;
    boot_info.cmdline = "";
    for (const struct tag *t = (const void *)(info + 8); t->type != TAG_END;
         t = (const void *)((const uint8_t *)t + ALIGN_UP(t->size, 8))) {
        switch (t->type) {
        case TAG_CMDLINE:
            boot_info.cmdline = (const char *)(t + 1);
            break;
        case TAG_MMAP:
            parse_mmap(t);
            break;
        case TAG_ACPI_OLD:
        case TAG_ACPI_NEW:
            if (!boot_info.rsdp_phys || t->type == TAG_ACPI_NEW)
                boot_info.rsdp_phys = virt_to_phys(t + 1);
            break;
        case TAG_MODULE:
            if (boot_info.module_count < ARRAY_SIZE(boot_info.modules)) {
                const uint32_t *m = (const uint32_t *)(t + 1);
                boot_info.modules[boot_info.module_count++] =
                    (struct boot_module){ m[0], m[1], (const char *)(m + 2) };
            }
            break;
        }
    }
}

const char *boot_arg(const char *key)
{
    size_t klen = strlen(key);
    const char *s = boot_info.cmdline;
    while (s && *s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, key, klen) == 0 && (s[klen] == '=' || s[klen] == ' ' || !s[klen]))
            return s[klen] == '=' ? s + klen + 1 : "";
        while (*s && *s != ' ')
            s++;
    }
    return NULL;
}

bool boot_arg_copy(const char *key, char *buf, size_t size)
{
    const char *v = boot_arg(key);
    if (!v)
        return false;
    size_t n = 0;
    while (v[n] && v[n] != ' ' && n + 1 < size) {
        buf[n] = v[n];
        n++;
    }
    buf[n] = 0;
    return true;
}

bool boot_test_mode(void) { return boot_arg("test") != NULL || boot_arg("panic_test") != NULL; }

__noreturn void qemu_exit(enum qemu_exit_code code)
{
    outl(0xf4, code);
    /* Not under QEMU with isa-debug-exit: halt instead. */
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}
