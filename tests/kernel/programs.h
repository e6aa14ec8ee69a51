/* programs.h — starting the test programs (tests/programs/, signed into
 * the image as program sections) from in-kernel tests and benchmarks. */
#pragma once
#include <wisp/process.h>

/* Starts program name with argv (argc 0: argv = { name }), with no
 * parent: the process, or NULL with *error set (-SYS_ENOENT when the
 * image has no such program). */
static inline struct process *test_program_start(const char *name, unsigned argc,
                                                 const char *const *argv, int *error)
{
    const struct program *prog = program_find(name);
    if (!prog) {
        *error = -SYS_ENOENT;
        return NULL;
    }
    return process_spawn(prog, argc, argv, NULL, error);
}

/* test_program_start without the error: the process or NULL. */
static inline struct process *test_program_spawn(const char *name, unsigned argc,
                                                 const char *const *argv)
{
    int error = 0;
    return test_program_start(name, argc, argv, &error);
}

/* Runs name to its end: its exit status, or the error that kept it from
 * starting. */
static inline int test_program_run(const char *name, unsigned argc, const char *const *argv)
{
    int error = 0;
    struct process *p = test_program_start(name, argc, argv, &error);
    return p ? process_wait(p) : error;
}
