/* usercopy.c — the kernel's only way to touch user memory.
 *
 * A user range is accepted when it lies wholly below USER_TOP (no wrap);
 * then user_copy (probe_ops.asm) copies with AC set for SMAP, and a fault
 * on an unmapped or read-only page comes back as an error through the
 * probe fixup table instead of a panic. Any thread context.
 */
#include <wisp/process.h>

int user_copy(void *dst, const void *src, size_t n);

bool user_range_ok(uint64_t addr, size_t n) { return addr < USER_TOP && n <= USER_TOP - addr; }

int copy_from_user(void *dst, const void *user_src, size_t n)
{
    if (!user_range_ok((uint64_t)user_src, n))
        return -SYS_EFAULT;
    return n == 0 || user_copy(dst, user_src, n) == 0 ? 0 : -SYS_EFAULT;
}

int copy_to_user(void *user_dst, const void *src, size_t n)
{
    if (!user_range_ok((uint64_t)user_dst, n))
        return -SYS_EFAULT;
    return n == 0 || user_copy(user_dst, src, n) == 0 ? 0 : -SYS_EFAULT;
}

/* Page by page, so that a string ending just before an unmapped page is
 * copied whole and nothing past its page is touched before its NUL. */
long strncpy_from_user(char *dst, const char *user_src, size_t max)
{
    size_t done = 0;
    while (done < max) {
        uint64_t at = (uint64_t)user_src + done;
        size_t chunk = 4096 - at % 4096;
        if (chunk > max - done)
            chunk = max - done;
        if (copy_from_user(dst + done, (const void *)at, chunk) != 0)
            return -SYS_EFAULT;
        for (size_t i = 0; i < chunk; i++)
            if (dst[done + i] == '\0')
                return (long)(done + i);
        done += chunk;
    }
    return (long)max;
}
