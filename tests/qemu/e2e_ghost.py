#!/usr/bin/env python3
"""e2e_ghost.py — a live update reaches running programs: boot with COM2 as
a unix socket, start three `count` programs (sdk/examples/count.c: they
call counter_add and counter_version through their ghost bindings in a
loop) with 1, 2 and 3 threads from the console's `run`, push counter 2.0
over the update line with wisp-push while they run, and check: the push
went live, every thread of every program saw the new version (exit status:
one change per thread), no increment was lost (the counter grew by exactly
what the programs say they added, read by `count 0` before and after), and
a program whose names are no ghost functions is refused naming the symbol.
The programs keep adding until they have seen version 2 (count's third
argument), so the push lands while they run however fast the machine is;
each `run` waits for its program's threads to start before the next
console command, so that program output does not split a prompt. Prints
one ok / not ok line per check."""

import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

PROGRAMS = 3
THREADS = [1, 2, 3]  # threads of each program
ADDS = 20000  # per thread at least; then each goes on until it sees counter 2.0


def push(build, sock, section, *args):
    p = subprocess.run([str(build / "host" / "wisp-push"), str(sock), str(section)] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def wait_all(con, start, pattern, count, timeout):
    """The matches of pattern in everything the console printed since start
    (console commands consume output: programs print in between), once
    there are count of them."""
    deadline = time.monotonic() + timeout
    while True:
        found = re.findall(pattern, con.text[start:])
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def counter_value(con):
    """Runs `count 0` (adds nothing) and returns the counter it prints."""
    start = len(con.text)
    con.command("run count 0")
    ends = wait_all(con, start, r"run: count \(pid \d+\) exited with status 0", 1, 60)
    values = re.findall(r"count: counter is (\d+)", con.text[start:])
    if not ends or not values:
        raise run.ConsoleError("count 0 did not report the counter")
    return int(values[-1])


def run_checks(con, checks, build, sock):
    before = counter_value(con)
    start = len(con.text)
    pids = []
    for k, threads in enumerate(THREADS):
        out = con.command("run count %d %d 2" % (ADDS, threads))
        m = re.search(r"run: count started, pid (\d+)", out)
        pids.append(m.group(1) if m else None)
        wait_all(con, start, r"count: counter version 1", sum(THREADS[:k + 1]), 60)
    checks.check("%d count programs start" % PROGRAMS, all(pids), pids)
    code, text = push(build, sock, build / "test-update" / "counter_v2.sec", "--name", "counter")
    checks.check("push of counter 2.0 goes live while the programs run",
                 code == 0 and "concurrent swap" in text, "exit %d" % code, text)
    statuses = dict((pid, int(status)) for pid, status in wait_all(
        con, start, r"run: count \(pid (\d+)\) exited with status (-?\d+)", PROGRAMS, 300))
    expected = dict(zip(pids, THREADS))
    checks.check("every thread of every program saw counter 2.0 on its next call "
                 "(one version change per thread)",
                 sorted(statuses) == sorted(pids) and
                 all(statuses[pid] == expected[pid] for pid in statuses), statuses, expected)
    added = [int(n) for n in re.findall(r"count: added (\d+)", con.text[start:])]
    total = sum(added)
    after = counter_value(con)
    checks.check("no increment lost (the counter grew by %d)" % total,
                 len(added) == PROGRAMS and after - before == total,
                 "added %s; before %d, after %d" % (added, before, after))
    code, text = push(build, sock, build / "test-update" / "counter_v1_rollback.sec",
                      "--name", "counter")
    checks.check("push of counter 1.0 back (a signed rollback) goes live",
                 code == 0 and "concurrent swap" in text, text)
    out = con.command("run no_such_ghost")
    checks.check("a program calling no ghost function is refused naming the symbol",
                 "exec: program no_such_ghost: undefined symbol 'no_such_ghost': no ghost "
                 "function of that name" in out and "run: no_such_ghost: error -8" in out, out)


def main():
    return run.e2e_with_update_line(
        __doc__, "e2e_ghost",
        lambda con, checks, build, sock, tmp: run_checks(con, checks, build, sock))


if __name__ == "__main__":
    sys.exit(main())
