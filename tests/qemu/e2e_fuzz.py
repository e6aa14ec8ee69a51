#!/usr/bin/env python3
"""e2e_fuzz — the gate fuzzed from inside (tests/programs/fuzz.c).

Boots the kernel monitor, takes a `selfcheck` baseline, runs the fuzzer
from the monitor (`run fuzz SECONDS SEED`: 4 threads calling every ghost
function with generated arguments, guided by kcov) for each regression
seed of tests/fuzz/guest-seeds.txt and then for --seed, and after each run
asks `selfcheck`: the heap consistent, no lock validator report, and no
process, thread, page or heap byte left behind. A check fails on a panic,
a hang (the fuzzer not ending), a finding of the fuzzer, or a failed
selfcheck. `make test` runs it short with a fixed seed; `make fuzz-guest
FUZZ_TIME=600` runs it long with a seed from the clock (--seed 0), and the
figures of each run are printed as `# fuzz:` lines.
"""
import argparse
import re
import sys
from pathlib import Path

import run

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent / "fuzz" / "guest-seeds.txt"


def arguments():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--iso", default=str(run.REPO / "build" / "wisp.iso"))
    p.add_argument("--smp", type=int, default=run.DEFAULT_SMP)
    p.add_argument("--log-dir")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--time", type=int, default=20, help="seconds of the main run")
    p.add_argument("--seed", type=int, default=4242, help="0: the fuzzer picks one")
    p.add_argument("--no-regressions", action="store_true",
                   help="skip the seeds of tests/fuzz/guest-seeds.txt")
    args = p.parse_args()
    run.VERBOSE = args.verbose
    return args


def regression_seeds():
    """(seconds, seed, note) of each line `SECONDS SEED # what it found`."""
    seeds = []
    for line in SEEDS.read_text().splitlines() if SEEDS.exists() else []:
        m = re.match(r"^\s*(\d+)\s+(\d+)\s*(?:#\s*(.*))?$", line)
        if m:
            seeds.append((int(m.group(1)), int(m.group(2)), m.group(3) or ""))
    return seeds


def fuzz_run(con, checks, seconds, seed, label):
    out = con.command("run fuzz %d %d" % (seconds, seed))
    started = "run: fuzz started" in out
    checks.check("%s: the fuzzer starts" % label, started, "output:", out)
    if not started:
        return
    try:
        m = con.expect(r"run: fuzz \(pid \d+\) exited with status (-?\d+)",
                       timeout=seconds * 4 + 90)
    except run.ConsoleError as e:
        checks.check("%s: the fuzzer ends (no hang)" % label, False, str(e))
        raise
    text = con.text[:m.end()]
    seed_line = re.findall(r"fuzz: seed (\d+), .*", text)
    summary = re.findall(r"fuzz: (\d+) calls in (\d+) s, (\d+) kernel PCs, (\d+) kept, "
                         r"(\d+) findings", text)
    findings = re.findall(r"fuzz: finding: .*", text)
    if seed_line:
        print("# fuzz: %s: seed %s" % (label, seed_line[-1]), flush=True)
    if summary:
        calls, secs, pcs, kept, found = summary[-1]
        print("# fuzz: %s: %s calls in %s s, %s kernel PCs, %s kept, %s findings" % (
            label, calls, secs, pcs, kept, found), flush=True)
    checks.check("%s: the fuzzer ends with no finding" % label,
                 m.group(1) == "0" and summary and not findings,
                 "status %s" % m.group(1), *findings[:20])
    out = con.command("selfcheck", timeout=120)
    checks.check("%s: selfcheck after the run is ok" % label,
                 re.search(r"(?m)^selfcheck: ok\s*$", out) is not None, "output:", out)


def main():
    args = arguments()
    checks = run.Checks()
    with run.Console(args.iso, name="e2e_fuzz", smp=args.smp, log_dir=args.log_dir) as con:
        try:
            con.wait_prompt()
            out = con.command("selfcheck", timeout=120)
            checks.check("selfcheck takes its baseline",
                         re.search(r"(?m)^selfcheck: ok\s*$", out) is not None, "output:", out)
            if not args.no_regressions:
                for seconds, seed, _ in regression_seeds():
                    fuzz_run(con, checks, seconds, seed, "regression seed %d (%d s)" % (seed, seconds))
            fuzz_run(con, checks, args.time, args.seed, "seed %d for %d s" % (args.seed, args.time))
        except run.ConsoleError as e:
            checks.check("the console answers to the end", False, str(e))
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
