#!/usr/bin/env python3
"""run.py — `make torture`: long concurrency torture runs in QEMU.

Boots once with "torture=NAMES torture_duration=SECONDS [torture_busted]";
the kernel runs each selected torture (TORTURE(name), tests/torture/) for
that long and prints one summary line per torture:

    torture: NAME [(busted)] SUCCESS|FAILURE ops=N grace_periods=N errors=N time=Nms DETAIL

then "# torture done: SUCCESS|FAILURE" and ends QEMU. This script prints
each summary line as it comes, and exits non-zero when a torture reports
FAILURE, the kernel panics, hangs (no summary line within the duration
plus a margin) or ends without its summaries.

With --busted every torture runs its deliberately broken flavour, and the
expectation flips: each must report FAILURE (a torture that stays green on a
broken implementation no longer detects anything); one SUCCESS is an error.

    run.py --iso build/wisp.iso --smp 4 --duration 600 [--busted] [--torture epoch,lock]
"""
import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "qemu"))
import run  # noqa: E402

SUMMARY = re.compile(r"(?m)^torture: (\S+)( \(busted\))? (SUCCESS|FAILURE) .*$")
DONE = re.compile(r"(?m)^# torture done: (SUCCESS|FAILURE)")
NOTHING = re.compile(r"(?m)^torture: (no torture named|nothing matches) .*$")
BOOT_MARGIN = 120       # seconds to boot and to clean up after each torture
EXIT_WAIT = 30          # seconds for QEMU to exit after the last line


def watch(con, duration):
    """Collects summary lines until the kernel says it is done; returns
    (summaries, problem or None). A panic or silence is a problem."""
    summaries = []
    # Whole lines only (a line may arrive in pieces), or a panic.
    any_event = re.compile(r"(?m)^(?:torture: |# torture done: )[^\n]*\n|"
                           + run.PANIC_LINE.pattern)
    while True:
        try:
            m = con.expect(any_event, timeout=duration + BOOT_MARGIN)
        except run.ConsoleError as e:
            return summaries, "no torture summary in %d s: %s" % (duration + BOOT_MARGIN, e)
        line = m.group(0).rstrip("\n")
        if run.PANIC_LINE.search(line):
            time.sleep(1)       # let the backtrace reach the log
            return summaries, "kernel panic during the torture"
        if NOTHING.match(line):
            return summaries, line
        if DONE.match(line):
            return summaries, None
        s = SUMMARY.match(line)
        summaries.append((s.group(1), s.group(3) == "SUCCESS", line))
        print(line, flush=True)


def main():
    p = argparse.ArgumentParser(description="Long torture runs of Wisp in QEMU.")
    p.add_argument("--iso", default=str(run.REPO / "build" / "wisp.iso"))
    p.add_argument("--smp", type=int, default=run.DEFAULT_SMP)
    p.add_argument("--duration", type=int, default=600, help="seconds per torture")
    p.add_argument("--busted", action="store_true",
                   help="run the broken flavours; each must report FAILURE")
    p.add_argument("--torture", default="all", help="comma-separated names (default all)")
    p.add_argument("--log-dir")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    run.VERBOSE = args.verbose
    if not Path(args.iso).exists():
        sys.exit("torture: %s does not exist (make iso)" % args.iso)

    cmdline = "torture=%s torture_duration=%d%s" % (args.torture, args.duration,
                                                    " torture_busted" if args.busted else "")
    name = "torture-busted" if args.busted else "torture"
    with run.Console(args.iso, name=name, smp=args.smp, cmdline=cmdline,
                     log_dir=args.log_dir) as con:
        print("# qemu: " + run.quote_command(con.command_line), flush=True)
        summaries, problem = watch(con, args.duration)
        status = con.wait_exit(EXIT_WAIT) if problem is None else None
        lines = con.text.replace("\r", "").split("\n")
        log_path = con.log_path

    problems = [problem] if problem else []
    if not problem and status not in (run.EXIT_PASS, run.EXIT_FAIL):
        problems.append("QEMU did not end with a pass/fail status (status %s)" % status)
    if not summaries and not problems:
        problems.append("no torture ran")
    if args.busted:
        missed = [n for n, ok, _ in summaries if ok]
        if missed:
            problems.append("busted flavour not detected (reported SUCCESS): " + ", ".join(missed))
    else:
        failed = [n for n, ok, _ in summaries if not ok]
        if failed:
            problems.append("FAILURE: " + ", ".join(failed))
    if problems:
        for line in run.tail(lines, 40):
            print("| " + line)
        print("# torture: %s (log: %s)" % ("; ".join(problems), log_path))
        return 1
    verdict = "every busted flavour detected" if args.busted else "all tortures succeeded"
    print("# torture: %s: %d torture(s), %d s each (log: %s)" % (
        verdict, len(summaries), args.duration, log_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
