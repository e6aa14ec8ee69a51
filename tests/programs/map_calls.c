/* map_calls — map and unmap from one thread: the memory is zeroed, holds
 * what is written across many pages, is allocated at its first touch (the
 * free page count of memory_stats), comes back at unmap, and bad
 * arguments, ranges not mapped and the limit are refused with nothing
 * changed; the kernel's user copies (write, memory_stats, futex_wait)
 * page in untouched memory instead of failing. Exits 0, or the number of
 * the first check that failed. */
#include "sys.h"
#include <stdbool.h>

#define PAGE      4096ul
#define PAGES     256ul /* the big mapping: 1 MiB */
#define MAP_BASE  0x0000100000000000ul
#define MAP_LIMIT (256ul << 20)
#define SLACK     32 /* pages the rest of the system may free meanwhile */

static bool failed(void *p) { return (long)p < 0; }

static uint64_t free_pages(void)
{
    struct sys_memory_record r;
    return memory_stats(&r) == 0 ? r.free_pages : 0;
}

static uint64_t pattern(uint64_t page, uint64_t word) { return page * 0x9e3779b97f4a7c15ul ^ word; }

/* Every word of pages [0, n) of p is zero? */
static bool all_zero(const uint64_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n * PAGE / 8; i++)
        if (p[i])
            return false;
    return true;
}

static int check_fresh_memory(int n)
{
    uint64_t before = free_pages();
    uint64_t *p = map(PAGES * PAGE);
    uint64_t mapped = free_pages();
    if (++n, failed(p) || (uint64_t)p < MAP_BASE || (uint64_t)p % PAGE)
        return n;
    if (++n, before - mapped > 8) /* nothing allocated for the pages yet */
        return n;
    if (++n, !all_zero(p, PAGES)) /* reading touches every page */
        return n;
    uint64_t touched = free_pages();
    if (++n, mapped - touched < PAGES - SLACK) /* each page allocated at its touch */
        return n;
    for (uint64_t page = 0; page < PAGES; page++)
        for (uint64_t w = 0; w < PAGE / 8; w += 61)
            p[page * PAGE / 8 + w] = pattern(page, w);
    ++n;
    for (uint64_t page = 0; page < PAGES; page++)
        for (uint64_t w = 0; w < PAGE / 8; w += 61)
            if (p[page * PAGE / 8 + w] != pattern(page, w))
                return n;
    if (++n, unmap(p, PAGES * PAGE) != 0)
        return n;
    if (++n, free_pages() - touched < PAGES - SLACK) /* the pages are back */
        return n;
    if (++n, unmap(p, PAGE) != -SYS_EINVAL) /* not mapped any more */
        return n;
    uint64_t *again = map(PAGES * PAGE); /* the same range, fresh pages */
    if (++n, again != p || !all_zero(again, PAGES) || unmap(again, PAGES * PAGE) != 0)
        return n;
    return 0;
}

static int check_bad_arguments(int n)
{
    n = 200;
    if (++n, (long)map(0) != -SYS_EINVAL)
        return n;
    if (++n, (long)map(MAP_LIMIT + 1) != -SYS_ENOMEM || (long)map((size_t)-1) != -SYS_ENOMEM)
        return n;
    char *p = map(3 * PAGE);
    if (++n, failed(p))
        return n;
    p[0] = 1;
    p[PAGE] = 2;
    p[2 * PAGE] = 3;
    if (++n, unmap(p + 1, PAGE) != -SYS_EINVAL || unmap(p, 0) != -SYS_EINVAL)
        return n;
    if (++n, unmap(p, 4 * PAGE) != -SYS_EINVAL || unmap(p - PAGE, 2 * PAGE) != -SYS_EINVAL)
        return n; /* past its end, before its start */
    if (++n, unmap((void *)0x400000, PAGE) != -SYS_EINVAL ||
                 unmap((void *)0xffffffff80000000ul, PAGE) != -SYS_EINVAL ||
                 unmap(p, (size_t)-PAGE) != -SYS_EINVAL)
        return n; /* the image, the kernel, a wrapping length */
    if (++n, p[0] != 1 || p[PAGE] != 2 || p[2 * PAGE] != 3) /* nothing changed */
        return n;
    /* a hole in the middle: the pages around it keep their contents */
    if (++n, unmap(p + PAGE, 1) != 0 || p[0] != 1 || p[2 * PAGE] != 3)
        return n;
    if (++n, unmap(p, 3 * PAGE) != -SYS_EINVAL) /* spans the hole */
        return n;
    if (++n, unmap(p, PAGE) != 0 || unmap(p + 2 * PAGE, PAGE) != 0)
        return n;
    /* two mappings side by side go in one unmap */
    char *a = map(PAGE), *b = map(2 * PAGE);
    if (++n, failed(a) || b != a + PAGE)
        return n;
    a[0] = b[PAGE] = 7;
    if (++n, unmap(a, 3 * PAGE) != 0)
        return n;
    return 0;
}

static int check_limit(int n)
{
    n = 300;
    char *all = map(MAP_LIMIT);
    if (++n, failed(all))
        return n;
    if (++n, (long)map(PAGE) != -SYS_ENOMEM) /* over the limit */
        return n;
    all[MAP_LIMIT - 1] = 1; /* the last page, the first and the middle */
    all[0] = 1;
    all[MAP_LIMIT / 2] = 1;
    if (++n, unmap(all + PAGE, PAGE) != 0) /* a page of room */
        return n;
    char *one = map(PAGE);
    if (++n, one != all + PAGE || (long)map(PAGE) != -SYS_ENOMEM)
        return n;
    if (++n, unmap(all, MAP_LIMIT) != 0) /* one range again */
        return n;
    char *small = map(PAGE);
    if (++n, failed(small) || unmap(small, PAGE) != 0)
        return n;
    return 0;
}

/* The kernel's copies to and from memory nobody touched yet. */
static int check_user_copies(int n)
{
    n = 400;
    char *p = map(4 * PAGE);
    if (++n, failed(p))
        return n;
    /* copy_from_user: one NUL byte (a line of its own: the test log is
     * read line by line) */
    if (++n, write(p, 1) != 1 || write("\n", 1) != 1)
        return n;
    struct sys_memory_record *r = (struct sys_memory_record *)(p + PAGE);
    if (++n, memory_stats(r) != 0 || r->page_size != PAGE) /* copy_to_user */
        return n;
    uint32_t *word = (uint32_t *)(p + 2 * PAGE);
    if (++n, futex_wait(word, 1, 0) != -SYS_EAGAIN) /* read as 0 under the bucket lock */
        return n;
    word = (uint32_t *)(p + 3 * PAGE);
    if (++n, futex_wait(word, 0, 1000 * 1000) != -SYS_ETIMEDOUT || futex_wake(word, 1) != 0)
        return n;
    if (++n, unmap(p, 4 * PAGE) != 0)
        return n;
    if (++n, write(p, 1) != -SYS_EFAULT || memory_stats(r) != -SYS_EFAULT)
        return n; /* unmapped: a fault again */
    return 0;
}

int main(void)
{
    int r = check_fresh_memory(0);
    if (!r)
        r = check_bad_arguments(0);
    if (!r)
        r = check_limit(0);
    if (!r)
        r = check_user_copies(0);
    return r;
}
