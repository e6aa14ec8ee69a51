/* fwcfg.c — QEMU's fw_cfg device, read for "opt/wisp/cmdline".
 *
 * The test driver passes extra kernel arguments this way, so one boot image
 * serves every test configuration without rebuilding GRUB's config. */
#include <wisp/fwcfg.h>
#include <wisp/cpu.h>
#include <string.h>

enum { FWCFG_SELECT = 0x510, FWCFG_DATA = 0x511, FWCFG_SIGNATURE = 0, FWCFG_DIR = 0x19 };

static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }
static uint16_t be16(uint16_t v) { return __builtin_bswap16(v); }

static void read_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n--)
        *p++ = inb(FWCFG_DATA);
}

long fwcfg_read_file(const char *name, void *buf, size_t size)
{
    char sig[4];
    outw(FWCFG_SELECT, FWCFG_SIGNATURE);
    read_bytes(sig, 4);
    if (memcmp(sig, "QEMU", 4) != 0)
        return -1;
    uint32_t count;
    outw(FWCFG_SELECT, FWCFG_DIR);
    read_bytes(&count, 4);
    count = be32(count);
    for (uint32_t i = 0; i < count; i++) {
        struct {
            uint32_t size;
            uint16_t select, reserved;
            char name[56];
        } entry;
        read_bytes(&entry, sizeof(entry));
        if (strncmp(entry.name, name, sizeof(entry.name)) != 0)
            continue;
        uint32_t fsize = be32(entry.size);
        size_t n = fsize < size ? fsize : size;
        outw(FWCFG_SELECT, be16(entry.select));
        read_bytes(buf, n);
        return (long)fsize;
    }
    return -1;
}
