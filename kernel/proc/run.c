/* run.c — the user-space shell that boot starts on the console, and the
 * kernel monitor's `run NAME [ARG...]`: starts a program in the background
 * and reports its end ("run: NAME (pid N) exited with status S"); the
 * end-to-end tests use it to start programs from the monitor. */
#include <wisp/process.h>
#include <wisp/sched.h>
#include <wisp/mm.h>
#include <wisp/printk.h>
#include <string.h>

#define RUN_ARGS 8

struct run_job {
    struct process *process;
    char name[PROGRAM_NAME_MAX];
    uint32_t pid;
};

static void run_waiter(void *arg)
{
    struct run_job *job = arg;
    int status = process_wait(job->process);
    kprintf("run: %s (pid %u) exited with status %d\n", job->name, job->pid, status);
    kfree(job);
}

void process_run_command(char *line)
{
    const char *argv[RUN_ARGS];
    unsigned argc = 0;
    for (char *p = line; *p && argc < RUN_ARGS;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    const struct program *prog = argc ? program_find(argv[0]) : NULL;
    if (!prog) {
        kprintf("run: %s: no such program\n", argc ? argv[0] : "(none)");
        return;
    }
    struct run_job *job = kzalloc(sizeof(*job));
    int err = -SYS_ENOMEM;
    struct process *p = job ? process_spawn(prog, argc, argv, NULL, &err) : NULL;
    if (!p) {
        kprintf("run: %s: error %d\n", argv[0], err);
        kfree(job);
        return;
    }
    job->process = p;
    job->pid = p->pid;
    strlcpy(job->name, prog->name, sizeof(job->name));
    kprintf("run: %s started, pid %u\n", job->name, job->pid);
    struct thread *t = thread_create("run-wait", run_waiter, job, -1);
    if (t)
        thread_detach(t);
    else
        kprintf("run: %s (pid %u): no waiter thread\n", job->name, job->pid);
}

/* The shell is the first program: started by the kernel (no parent), it
 * owns the console's input until it ends. When it exits (`exit`) or
 * faults, or is not in the image, the kernel monitor takes the console. */
void process_run_shell(void)
{
    const struct program *prog = program_find("shell");
    int err = -SYS_ENOENT;
    struct process *p = prog ? process_spawn(prog, 0, NULL, NULL, &err) : NULL;
    if (!p) {
        pr_err("shell: cannot start it (error %d); the kernel monitor has the console\n", err);
        return;
    }
    int status = process_wait(p);
    pr_info("shell: exited with status %d; the kernel monitor has the console\n", status);
}
