#!/usr/bin/env python3
"""e2e_console.py — the kernel console, end to end: boot normally, wait for
the prompt, run each command and check what it prints, then reboot (which
ends QEMU, since it runs with -no-reboot). Prints one ok / not ok line per
check (the protocol of run.Checks)."""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

COMMANDS = ("help", "cpus", "mem", "threads", "lsmod", "syms", "audit", "reboot")


def main():
    args = run.e2e_arguments(__doc__)
    checks = run.Checks()
    with run.Console(args.iso, name="e2e_console", smp=args.smp, log_dir=args.log_dir) as con:
        try:
            seconds = con.wait_prompt()
        except run.ConsoleError as e:
            checks.check("console prompt appears after boot", False, e)
            return checks.done()
        checks.check("console prompt appears after boot (%.1f s)" % seconds, True)
        try:
            check_commands(con, checks, args.smp)
        except run.ConsoleError as e:
            checks.check("console answers every command", False, e)
            return checks.done()

        con.send("reboot\r")
        status = con.wait_exit(60)
        checks.check("reboot ends QEMU", status is not None,
                     "QEMU still running 60 s after 'reboot'; log: %s" % con.log_path)
    return checks.done()


def check_commands(con, checks, smp):
    out = con.command("help")
    missing = [c for c in COMMANDS if not re.search(r"(?m)^\s*%s\b" % c, out)]
    checks.check("help lists " + ", ".join(COMMANDS), not missing,
                 "missing: %s" % ", ".join(missing), "output:", out)

    out = con.command("cpus")
    first = next((l for l in out.split("\n") if l.strip()), "")
    checks.check("cpus says '%d CPUs online'" % smp, first.strip() == "%d CPUs online" % smp,
                 "first line: %r" % first, "output:", out)
    cpu_lines = re.findall(r"(?m)^\s+cpu(\d+)\b", out)
    checks.check("cpus prints one line per CPU", sorted(set(cpu_lines)) ==
                 [str(i) for i in range(smp)] and len(cpu_lines) == smp, "output:", out)

    out = con.command("threads")
    cpus_with_threads = set(re.findall(r"(?m)^\s*\d+\s+cpu(\d+)\s", out))
    checks.check("threads lists at least one thread on each CPU",
                 cpus_with_threads >= {str(i) for i in range(smp)},
                 "CPUs with threads: %s" % sorted(cpus_with_threads), "output:", out)

    out = con.command("mem")
    checks.check("mem reports sizes in MiB", re.search(r"\d+ MiB", out) is not None,
                 "output:", out)

    out = con.command("lsmod")
    live = set(re.findall(r"(?m)^\s+(\w+)\s+\d+\.\d+\s+live\b", out))
    checks.check("lsmod lists the boot modules as live", {"console", "clock", "counter"} <= live,
                 "output:", out)

    out = con.command("syms")
    checks.check("syms lists core and module symbols with their slots",
                 re.search(r"(?m)^\s+counter_add\s+counter\s+\d+\s+0x", out) is not None and
                 re.search(r"(?m)^\s+kmalloc\s+core\s+\d+\s+0x", out) is not None,
                 "output:", out)

    out = con.command("audit")
    checks.check("audit prints the contracts of each loaded module",
                 all(re.search(r"(?m)^module %s %s" % (m, re.escape(v)), out) for m, v in
                     (("console", "1.1"), ("clock", "1.0"), ("counter", "1.0"))) and
                 re.search(r"(?m)^  export counter_add +any +never +yes +yes +concurrent$", out)
                 is not None, "output:", out)
    text = out.replace("\r", "")
    checks.check("audit checks each loaded module's code against its manifest",
                 all("code check of %s: matches the manifest" % m in text for m in
                     ("console", "clock", "counter")), "output:", out)
    checks.check("audit finds nothing wrong with what is loaded",
                 "set check over 5 modules and the core:" in text and
                 text.rstrip().endswith("no findings"), "output:", out)

    out = con.command("frobnicate")
    checks.check("an unknown command is named in an error",
                 "unknown command: frobnicate (try help)" in out, "output:", out)

    out = con.command("")
    checks.check("an empty line gives a new prompt", out.strip() == "", "output:", out)


if __name__ == "__main__":
    sys.exit(main())
