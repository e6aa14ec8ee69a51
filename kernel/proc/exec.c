/* exec.c — loading a program into a new process: its ELF image (the pure
 * loader modload/exec.c validates and relocates it) and its stack with
 * argc and argv in the System V layout.
 *
 * The image is loaded at USER_LOAD_BASE. Each page a segment covers gets a
 * fresh physical page; the loader copies and relocates through the direct
 * map before anything is mapped, so the process never sees a half-built
 * image. Then every page is mapped with its segment's permissions (W^X:
 * code R+X, read-only data R, data RW+NX) and the RELRO pages — the GOT
 * among them, bound at exec — read-only.
 *
 * Runs in the spawning thread, on the spawner's address space: the new
 * space is only written through the direct map. May sleep.
 */
#include <wisp/process.h>
#include <wisp/mm.h>
#include <wisp/boot.h>
#include <wisp/printk.h>
#include <modload/format/exec.h>
#include <wisp/ghost.h>
#include <string.h>

_Static_assert(MOD_EXEC_PAGE_SIZE == PAGE_SIZE, "exec pages are kernel pages");

/* Allocates a zeroed page for va in p (not mapped yet): on p->pages, so
 * that the process's teardown frees it whatever happens next. */
int process_add_page(struct process *p, uint64_t va, uint64_t *pa)
{
    struct user_page *up = kmalloc(sizeof(*up));
    uint64_t page = pmm_alloc_page();
    if (!up || !page) {
        if (page)
            pmm_free_page(page);
        kfree(up);
        return -SYS_ENOMEM;
    }
    memset(phys_to_virt(page), 0, PAGE_SIZE);
    *up = (struct user_page){ .va = va, .pa = page, .next = p->pages };
    p->pages = up;
    __atomic_fetch_add(&p->page_count, 1, __ATOMIC_RELAXED); /* read by process_snapshot */
    *pa = page;
    return 0;
}

struct exec_image {
    uint64_t *pa; /* per image page; 0 for a gap */
    uint64_t pages;
};

static uint8_t *image_page(void *context, uint64_t index)
{
    struct exec_image *image = context;
    return phys_to_virt(image->pa[index]);
}

/* Undefined names are ghost functions: bound at exec to their trampolines
 * (MODULES.md, "Ghost bindings"). */
static int resolve_ghost(void *context, const char *name, uint64_t *address, const char **why)
{
    return ghost_bind(name, address, why);
}

static unsigned segment_flags(const struct mod_exec *exec, uint64_t offset)
{
    for (uint32_t i = 0; i < exec->segment_count; i++) {
        const struct mod_exec_segment *s = &exec->segments[i];
        if (offset + PAGE_SIZE <= (s->vaddr & ~(PAGE_SIZE - 1)) ||
            offset >= ((s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)))
            continue;
        /* glibc's rule: RELRO pages are [start, end) rounded down. */
        bool relro = offset >= (exec->relro_start & ~(PAGE_SIZE - 1)) &&
                     offset < (exec->relro_end & ~(PAGE_SIZE - 1));
        return ((s->flags & PF_W) && !relro ? VM_WRITE : 0) | (s->flags & PF_X ? VM_EXEC : 0);
    }
    return ~0u; /* a gap */
}

static int load_image(struct process *p, const struct mod_exec *exec)
{
    struct exec_image image = { .pages = exec->image_size / PAGE_SIZE };
    image.pa = kzalloc(image.pages * sizeof(uint64_t));
    if (!image.pa)
        return -SYS_ENOMEM;
    int err = 0;
    for (uint64_t i = 0; i < image.pages && !err; i++)
        if (segment_flags(exec, i * PAGE_SIZE) != ~0u)
            err = process_add_page(p, USER_LOAD_BASE + i * PAGE_SIZE, &image.pa[i]);
    if (err)
        goto out;
    struct mod_exec_target target = { image_page, resolve_ghost, &image, USER_LOAD_BASE };
    struct mod_error merr;
    mod_exec_copy(exec, &target);
    if (mod_exec_relocate(exec, &target, &merr) != MOD_OK) {
        pr_warn("exec: %s\n", merr.message);
        err = -SYS_ENOEXEC;
        goto out;
    }
    for (uint64_t i = 0; i < image.pages && !err; i++) {
        unsigned flags = segment_flags(exec, i * PAGE_SIZE);
        if (flags != ~0u &&
            vmm_map_in(p->space, USER_LOAD_BASE + i * PAGE_SIZE, image.pa[i], flags | VM_USER) != 0)
            err = -SYS_ENOMEM;
    }
out:
    kfree(image.pa);
    return err;
}

/* Writes n bytes at user address va of p's stack (its pages are on
 * p->pages, reached through the direct map). */
static void stack_write(struct process *p, uint64_t va, const void *src, size_t n)
{
    const uint8_t *from = src;
    while (n) {
        uint64_t page = va & ~(PAGE_SIZE - 1), chunk = PAGE_SIZE - (va - page);
        if (chunk > n)
            chunk = n;
        for (struct user_page *up = p->pages; up; up = up->next)
            if (up->va == page)
                memcpy((uint8_t *)phys_to_virt(up->pa) + (va - page), from, chunk);
        va += chunk;
        from += chunk;
        n -= chunk;
    }
}

/* The System V start: rsp -> argc, argv[0..argc-1], NULL, envp NULL,
 * auxv AT_NULL (0, 0); the strings above; rsp 16-byte aligned. */
static int build_stack(struct process *p, unsigned argc, const char *const *argv)
{
    for (uint64_t i = 1; i <= USER_STACK_PAGES; i++) {
        uint64_t pa, va = USER_STACK_TOP - i * PAGE_SIZE;
        int err = process_add_page(p, va, &pa);
        if (err || vmm_map_in(p->space, va, pa, VM_WRITE | VM_USER) != 0)
            return err ? err : -SYS_ENOMEM;
    }
    uint64_t words[PROCESS_ARGS_MAX + 5] = { argc };
    uint64_t sp = USER_STACK_TOP;
    for (unsigned i = argc; i-- > 0;) {
        size_t n = strlen(argv[i]) + 1;
        sp -= n;
        stack_write(p, sp, argv[i], n);
        words[1 + i] = sp;
    }
    size_t count = argc + 5; /* the rest of words[] is already zero */
    sp = (sp & ~15ul) - (count % 2 ? 8 : 0) - count * 8;
    stack_write(p, sp, words, count * 8);
    p->stack_pointer = sp;
    return 0;
}

int process_exec(struct process *p, const struct program *prog, unsigned argc,
                 const char *const *argv)
{
    struct mod_exec exec;
    struct mod_error merr;
    if (mod_exec_parse(&exec, prog->name, prog->elf, prog->size, &merr) != MOD_OK) {
        pr_warn("exec: %s\n", merr.message);
        return -SYS_ENOEXEC;
    }
    if (USER_LOAD_BASE + exec.image_size >
        USER_STACK_TOP - PROCESS_THREADS_MAX * USER_THREAD_STACK_STRIDE) {
        pr_warn("exec: program %s: image of %lu bytes does not fit below the stack\n", prog->name,
                exec.image_size);
        return -SYS_ENOEXEC;
    }
    int err = ghost_map(p->space);
    if (!err)
        err = load_image(p, &exec);
    if (!err)
        err = build_stack(p, argc, argv);
    p->entry = USER_LOAD_BASE + exec.entry;
    return err;
}
