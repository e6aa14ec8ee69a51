/* ksyms.c — symbol lookup over the generated table and backtraces. */
#include <wisp/ksyms.h>
#include <wisp/printk.h>
#include <wisp/format.h>
#include <string.h>

extern const struct ksym ksyms_table[];
extern const uint32_t ksyms_count;
extern const char ksyms_names[];

extern char __text_start[], __text_end[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
    uint32_t lo = 0, hi = ksyms_count;
    /* last entry with entry.addr <= addr */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ksyms_table[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const struct ksym *s = &ksyms_table[lo - 1];
    if (s->size && addr >= s->addr + s->size)
        return NULL;
    *offset = addr - s->addr;
    return &ksyms_names[s->name];
}

uint64_t ksyms_address(const char *name)
{
    for (uint32_t i = 0; i < ksyms_count; i++)
        if (strcmp(&ksyms_names[ksyms_table[i].name], name) == 0)
            return ksyms_table[i].addr;
    return 0;
}

void ksyms_format(uint64_t addr, char *buf, size_t size)
{
    uint64_t off;
    const char *name = ksyms_lookup(addr, &off);
    if (name)
        ksnprintf(buf, size, "%s+0x%lx", name, off);
    else
        ksnprintf(buf, size, "?");
}

static bool is_kernel_text(uint64_t a)
{
    return a >= (uint64_t)__text_start && a < (uint64_t)__text_end;
}

/* Walks saved frame pointers (the kernel is built with -fno-omit-frame-pointer).
 * Stops at a null or misaligned frame, or one outside the kernel half. */
void backtrace_print(uint64_t rip, uint64_t rbp, int max)
{
    char sym[96];
    kprintf("backtrace:\n");
    if (rip) {
        ksyms_format(rip, sym, sizeof(sym));
        kprintf("  [%016lx] %s\n", rip, sym);
    }
    for (int i = 0; i < max && rbp; i++) {
        if ((rbp & 7) || rbp < 0xffff800000000000ul)
            break;
        const uint64_t *frame = (const uint64_t *)rbp;
        uint64_t ret = frame[1];
        if (!is_kernel_text(ret))
            break;
        ksyms_format(ret - 1, sym, sizeof(sym)); /* -1: inside the call */
        kprintf("  [%016lx] %s\n", ret, sym);
        rbp = frame[0];
    }
}
