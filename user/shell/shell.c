/* shell — Wisp's user-space shell on the serial console.
 *
 * Reads lines through the line editor (lineedit.c: backspace, arrows and
 * history), splits them at spaces and runs the program of the image that
 * the first word names with the words as its arguments (spawn + wait).
 * A trailing `&` runs it in the background: the shell does not wait, and
 * at each prompt collects the jobs that ended (trywait) and reports
 * "[pid] done, status N". Builtins: help, status (the last command's exit
 * status), jobs, exit [N]. ^C ends the program in the foreground (the
 * kernel's console_foreground; status 130); at the prompt it drops the
 * line. Bad input gets a message and the shell carries on; nothing here
 * can end the shell but `exit`.
 */
#include <ghost.h>
#include <wisp/syscall.h>
#include "user/shell/lineedit.h"
#include "user/lib/ulib.h"

#define SHELL_ARGS_MAX 16 /* words of a command, the program's name included */
#define SHELL_JOBS_MAX 8  /* background jobs at once */

static const char prompt[] = "wisp$ ";

static struct lineedit editor;
static int last_status;
static long jobs[SHELL_JOBS_MAX]; /* pids of background jobs; 0: free */

static void report_ended_jobs(void)
{
    for (unsigned i = 0; i < SHELL_JOBS_MAX; i++) {
        int status;
        long r = jobs[i] ? trywait(jobs[i], &status) : -SYS_EAGAIN;
        if (r == -SYS_EAGAIN)
            continue;
        u_put("[");
        u_put_number((uint64_t)jobs[i]);
        u_put(r == 0 ? "] done, status " : "] lost, error "); /* lost: not collectable */
        u_put_signed(r == 0 ? status : r);
        u_put("\n");
        jobs[i] = 0;
    }
}

static void print_spawn_error(const char *name, long error)
{
    u_put(name);
    if (error == -SYS_ENOENT)
        u_put(": no such program (try help)\n");
    else if (error == -SYS_ENOEXEC)
        u_put(": does not load (the kernel log says why)\n");
    else if (error == -SYS_EINVAL)
        u_put(": arguments refused (too many or too long)\n");
    else {
        u_put(": cannot start it, error ");
        u_put_signed(error);
        u_put("\n");
    }
}

static void run_program(char **argv, unsigned argc, bool background)
{
    int slot = -1;
    for (int i = 0; i < SHELL_JOBS_MAX && background && slot < 0; i++)
        if (!jobs[i])
            slot = i;
    if (background && slot < 0) {
        u_put("shell: too many background jobs (at most 8); wait for one\n");
        return;
    }
    long pid = spawn(argv[0], u_strlen(argv[0]), (const char *const *)argv, argc);
    if (pid < 0) {
        print_spawn_error(argv[0], pid);
        last_status = 127;
        return;
    }
    if (background) {
        jobs[slot] = pid;
        u_put("[");
        u_put_number((uint64_t)pid);
        u_put("] started\n");
        return;
    }
    console_foreground(pid); /* ^C ends it (status 130) */
    if (wait(pid, &last_status) < 0)
        last_status = 127;
    console_foreground(0);
    if (last_status == SYS_EXIT_INTERRUPTED)
        u_put("^C\n");
}

static void builtin_help(void)
{
    u_put("builtins: help, status (exit status of the last command), jobs, exit [N]\n"
          "programs: NAME [ARG...] runs a program of the image; a final & runs it in the "
          "background\n"
          "tools: ps, lsmod, syms, audit, kill PID, uptime, mem, devices, interfaces;\n"
          "examples: hello, count\n");
}

static void builtin_jobs(void)
{
    for (unsigned i = 0; i < SHELL_JOBS_MAX; i++) {
        if (jobs[i]) {
            u_put("[");
            u_put_number((uint64_t)jobs[i]);
            u_put("] running\n");
        }
    }
}

/* A builtin: true when argv[0] is one (and it ran). */
static bool run_builtin(char **argv, unsigned argc)
{
    if (u_streq(argv[0], "help")) {
        builtin_help();
    } else if (u_streq(argv[0], "status")) {
        u_put("status ");
        u_put_signed(last_status);
        u_put("\n");
    } else if (u_streq(argv[0], "jobs")) {
        builtin_jobs();
    } else if (u_streq(argv[0], "exit")) {
        uint64_t status = 0;
        if (argc > 1 && !u_parse_number(argv[1], &status)) {
            u_put("exit: not a number: ");
            u_put(argv[1]);
            u_put("\n");
            return true;
        }
        exit((int)status);
    } else {
        return false;
    }
    return true;
}

/* Splits line at spaces in place: the word count, or -1 for too many. */
static int split(char *line, char **argv)
{
    int argc = 0;
    for (char *p = line; *p;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        if (argc == SHELL_ARGS_MAX)
            return -1;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    return argc;
}

static void run_line(char *line)
{
    char *argv[SHELL_ARGS_MAX + 1];
    int argc = split(line, argv);
    if (argc < 0) {
        u_put("shell: too many arguments (at most 16 words)\n");
        return;
    }
    bool background = false;
    if (argc > 0) { /* "prog &" or "prog&" */
        char *last = argv[argc - 1];
        size_t n = u_strlen(last);
        if (last[n - 1] == '&') {
            background = true;
            last[n - 1] = '\0';
            if (n == 1)
                argc--;
        }
    }
    if (argc == 0) {
        if (background)
            u_put("shell: & needs a command\n");
        return;
    }
    argv[argc] = NULL;
    if (!run_builtin(argv, (unsigned)argc))
        run_program(argv, (unsigned)argc, background);
}

/* The editor refuses a key that would make the line longer than it can
 * hold (a bell): say why once per line, then show the line again. */
static void explain_full_line(bool *told)
{
    if (*told || editor.length < LINEEDIT_MAX - 1)
        return;
    *told = true;
    u_put("\r\nshell: line too long (at most 127 characters)\r\n");
    write(prompt, sizeof(prompt) - 1);
    write(editor.line, editor.length);
    for (size_t i = editor.cursor; i < editor.length; i++)
        write("\b", 1);
}

/* Feeds bytes to the editor until a line is finished: a copy of it. */
static void read_line(char *line)
{
    char out[LINEEDIT_OUT_MAX];
    bool told = false;
    for (;;) {
        char byte;
        if (read(&byte, 1) != 1)
            continue;
        size_t out_length = 0;
        enum lineedit_event event =
            lineedit_feed(&editor, (uint8_t)byte, out, sizeof(out), &out_length);
        write(out, out_length);
        if (out_length == 1 && out[0] == 0x07)
            explain_full_line(&told);
        if (event == LINEEDIT_CANCELLED) {
            line[0] = '\0';
            return;
        }
        if (event == LINEEDIT_LINE) {
            const char *finished = lineedit_line(&editor);
            size_t i = 0;
            for (; finished[i] && i < LINEEDIT_MAX - 1; i++)
                line[i] = finished[i];
            line[i] = '\0';
            return;
        }
    }
}

int main(void)
{
    char line[LINEEDIT_MAX];
    lineedit_init(&editor);
    u_put("Wisp shell. Type 'help' for commands.\n");
    for (;;) {
        report_ended_jobs();
        write(prompt, sizeof(prompt) - 1);
        read_line(line);
        run_line(line);
    }
}
