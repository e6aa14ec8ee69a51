#!/usr/bin/env python3
"""e2e_shell.py — the user-space shell, end to end: boot without `monitor`
(straight to the shell on COM1), run programs with arguments, edit with
backspace, recall with the up arrow, run a job in the background and see
its end reported, read exit statuses, run each tool and check what it
prints, kill a background job, and exit to the kernel monitor. Prints one
ok / not ok line per check (the protocol of run.Checks)."""
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

UP = "\x1b[A"
BACKSPACE = "\x7f"


def main():
    args = run.e2e_arguments(__doc__)
    checks = run.Checks()
    with run.Console(args.iso, name="e2e_shell", smp=args.smp, log_dir=args.log_dir,
                     shell=True) as con:
        try:
            seconds = con.wait_prompt()
            checks.check("shell prompt appears after boot (%.1f s)" % seconds, True)
            check_lines(con, checks)
            check_jobs(con, checks)
            check_interrupt(con, checks)
            check_tools(con, checks)
            check_kill(con, checks)
            check_exit(con, checks)
        except run.ConsoleError as e:
            checks.check("shell answers every command", False, e)
        log = con.text
    bad_lines = [l for l in log.split("\n") if re.search(r"panic|PANIC|lockdep|BUG", l)]
    checks.check("no panic or lock validator report", not bad_lines, *bad_lines)
    return checks.done()


def typed(con, keys, timeout=30):
    """Sends raw keys ending in Enter; the output up to the next prompt."""
    start = con.pos
    con.send(keys + "\r")
    m = con.expect(r"(?m)^" + re.escape(con.prompt), timeout)
    return con.text[start:m.start()]


def check_lines(con, checks):
    out = con.command("hello alpha beta")
    checks.check("a program runs with its arguments",
                 "hello, alpha!" in out and "hello, beta!" in out, out)
    out = typed(con, "hellx" + BACKSPACE + "o edited")
    checks.check("backspace edits the line", "hello, edited!" in out, out)
    out = typed(con, UP)
    checks.check("the up arrow recalls the last line", "hello, edited!" in out, out)
    out = typed(con, UP + UP)
    checks.check("the up arrow twice recalls the line before",
                 "hello, alpha!" in out and "hello, beta!" in out, out)
    out = con.command("write_bytes")
    alphabet = "".join(chr(ord("a") + i % 26) for i in range(255))
    checks.check("a write passes every byte through, NULs too, and a 256-byte write whole",
                 "bytes: a\0b end\n" in out and alphabet + "\n" in out, out)
    out = con.command("status")
    checks.check("write reported every byte written (status 0)", "status 0" in out, out)
    con.command("exit42")
    out = con.command("status")
    checks.check("status shows the last exit status (42)", "status 42" in out, out)
    con.command("uptime")
    out = con.command("status")
    checks.check("status after a program that succeeds is 0", "status 0" in out, out)
    out = con.command("nosuch arg")
    checks.check("an unknown program is named in an error",
                 "nosuch: no such program" in out, out)
    out = con.command("hello " + " ".join(["w"] * 16))
    checks.check("too many arguments are refused with a message",
                 "too many arguments" in out, out)
    con.send("x" * 140)  # the editor takes 127, then says why it refuses more
    con.expect(r"line too long \(at most 127 characters\)")
    con.expect(r"(?m)^" + re.escape(con.prompt) + "x{127}")  # the line shown again
    typed(con, "\x15")  # ^U: erase it, then an empty line
    checks.check("a too long line is refused with a message", True)
    out = con.command("hello still")
    checks.check("the shell carries on after bad input", "hello, still!" in out, out)


def wait_for(con, pattern, seconds=20, seen=""):
    """Empty lines until pattern shows in a prompt's report (or already in
    seen, the output of the commands since the event): its match."""
    deadline = time.monotonic() + seconds
    m = re.search(pattern, seen)
    if m:
        return m, seen
    while time.monotonic() < deadline:
        seen += con.command("")
        m = re.search(pattern, seen)
        if m:
            return m, seen
        time.sleep(0.5)
    return None, seen


def start_job(con, checks, line, what):
    """Runs line (ending in &) and checks that the shell names the job's
    pid: the pid, or None."""
    out = con.command(line)
    m = re.search(r"\[(\d+)\] started", out)
    checks.check(what, m is not None, out)
    return m.group(1) if m else None


def check_jobs(con, checks):
    pid = start_job(con, checks, "sleeper 3000 &", "& starts a background job and names its pid")
    if not pid:
        return
    out = con.command("jobs")
    checks.check("jobs lists it while it runs", "[%s] running" % pid in out, out)
    # the end is reported at the next prompt: jobs' own, or a later one
    done, seen = wait_for(con, r"\[%s\] done, status (\d+)" % pid, seen=out)
    checks.check("the job's end is reported at a prompt with its status",
                 done is not None and done.group(1) == "0", seen)


def check_interrupt(con, checks):
    """^C ends the foreground program (status 130) at once, a reader in
    read() as well as a sleeper, and at the prompt drops the line."""
    for program, started in (("sleeper 600000", None), ("echo_keys", "echo_keys: reading")):
        start = con.pos
        con.send(program + "\r")
        if started:
            con.expect(re.escape(started), 30)
        else:
            time.sleep(1.0)  # no output to wait for: let it start and sleep
        begin = time.monotonic()
        con.send("\x03")
        m = con.expect(r"(?m)^" + re.escape(con.prompt), 30)
        waited = time.monotonic() - begin
        out = con.text[start:m.start()]
        status = con.command("status")
        checks.check("^C ends %s in the foreground at once (status 130)" % program.split()[0],
                     "^C" in out and "status 130" in status and waited < 20,
                     "%.1f s" % waited, out, status)
    start = con.pos
    con.send("hello dropped\x03")
    m = con.expect(r"\^C\n" + re.escape(con.prompt), 30)
    out = con.text[start:m.end()]
    again = con.command("hello after")
    checks.check("^C at the prompt drops the line, and the shell reads on",
                 "hello, dropped!" not in out and "hello, after!" in again, out, again)


def symbol_bindings(con, name):
    out = con.command("syms " + name)
    m = re.search(r"(?m)^%s\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S.*)$" % re.escape(name), out)
    return m, out


def check_tools(con, checks):
    out = con.command("ps")
    checks.check("ps lists the shell and itself",
                 re.search(r"(?m)^\s*\d+\s+0\s+running\s+1\s+\d+\s+shell$", out) is not None
                 and re.search(r"(?m)^\s*\d+\s+\d+\s+running\s+1\s+\d+\s+ps$", out) is not None, out)
    out = con.command("lsmod")
    checks.check("lsmod lists counter with its version and state",
                 re.search(r"(?m)^counter\s+1\.0\s+live\s+\d+\s+3\s+\d+", out) is not None, out)
    before, out = symbol_bindings(con, "counter_add")
    checks.check("syms lists counter_add: module, slot, bindings, contract",
                 before is not None and before.group(1) == "counter"
                 and "context any" in before.group(4), out)
    con.command("count 10")
    after, out2 = symbol_bindings(con, "counter_add")
    checks.check("counter_add's binding count grows when a program binds it",
                 before is not None and after is not None
                 and int(after.group(3)) > int(before.group(3)), out, out2)
    first = re.search(r"up (\d+)\.(\d+) s", con.command("uptime"))
    time.sleep(1)
    second = re.search(r"up (\d+)\.(\d+) s", con.command("uptime"))
    checks.check("uptime increases",
                 first and second and
                 int(second.group(1) + second.group(2)) > int(first.group(1) + first.group(2)))
    out = con.command("mem")
    figures = dict(re.findall(r"(?m)^([a-z ]+):\s+(\d+)", out))
    total, free = int(figures.get("total", 0)), int(figures.get("free", 0))
    checks.check("mem: plausible total, free and process figures",
                 64 * 1024 <= total <= 64 * 1024 * 1024 and 0 < free < total
                 and int(figures.get("processes", 0)) >= 2
                 and int(figures.get("heap in use", 0)) > 0, out)
    out = con.command("audit")
    checks.check("audit prints each module's contracts and the set check",
                 "module counter" in out and "export counter_add" in out
                 and "no findings" in out, out)
    out = con.command("help")
    checks.check("help names the builtins and the tools", "builtins:" in out and "ps" in out, out)


def check_kill(con, checks):
    pid = start_job(con, checks, "count 100000000 &", "a long count runs in the background")
    if not pid:
        return
    out = con.command("ps")
    checks.check("ps shows it running",
                 re.search(r"(?m)^\s*%s\s+\d+\s+running\s+1\s+\d+\s+count$" % pid, out) is not None, out)
    out = con.command("kill " + pid)
    checks.check("kill ends it", "kill:" not in out, out)
    # the end is reported at the next prompt: kill's own, or a later one
    done, seen = wait_for(con, r"\[%s\] done, status (\d+)" % pid, seen=out)
    checks.check("the shell reports the killed job with status 137",
                 done is not None and done.group(1) == "137", seen)
    out = con.command("kill 1")
    checks.check("kill refuses the shell (an ancestor of kill)", "not allowed" in out, out)
    out = con.command("kill 99999")
    checks.check("kill names a pid that does not exist", "no such process" in out, out)


def check_exit(con, checks):
    con.send("exit 3\r")
    con.expect(r"shell: exited with status 3", 30)
    con.expect(re.escape(run.PROMPT), 30)
    checks.check("exit ends the shell and the kernel monitor takes the console", True)


if __name__ == "__main__":
    sys.exit(main())
