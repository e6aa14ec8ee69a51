#!/usr/bin/env python3
"""run-all.py — what `make test` runs; every test counts once:

    host        each test of build/host/unit-tests, and each check of each
                tests/host/test_*.py script (given --build; prints ok / not ok)
    ktest       each KTAP result of one boot with "test" (a boot that goes
                wrong — panic, hang, crash, missing results — adds a failure)
    panic       each expected-panic test the kernel lists ("# panic-test"),
                one boot each
    e2e         each check of each tests/qemu/e2e_*.py script (the scripts
                print ok / not ok lines; a script that dies adds a failure)

Boots run --jobs at a time (default 2). The last line of the output is
always "N passed, N failed" (", N skipped" when any); the exit status is 1
when anything failed. Logs: build/test-logs/.
"""
import argparse
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "qemu"))
import run  # noqa: E402

RESULT = re.compile(r"^(ok|not ok) \d+ (.*?)(?: # (\d+ ms|SKIP.*))?\s*$")
E2E_TIMEOUT = 600

print_lock = threading.Lock()


def trim_sanitizer(lines):
    """Drops the shadow-memory dump of an ASan report (the rest says it all)."""
    out, skipping = [], False
    for line in lines:
        if line.startswith("Shadow bytes around the buggy address"):
            skipping = True
        elif skipping and re.match(r"^==\d+==ABORTING", line):
            skipping = False
        if not skipping:
            out.append(line)
    return out


def parse_results(prefix, output):
    """ok / not ok lines of a runner's output → Outcomes; a failed result
    carries every line printed since the previous result (its details)."""
    outcomes, since = [], []
    for line in output.replace("\r", "").split("\n"):
        m = RESULT.match(line)
        if not m:
            since.append(line)
            continue
        skipped = bool(m.group(3) and m.group(3).startswith("SKIP"))
        details = [l for l in trim_sanitizer(since)
                   if l.strip() and not re.match(r"^(1\.\.\d+|# \w+: \d+ passed)", l)]
        outcomes.append(run.Outcome(prefix + m.group(2), m.group(1) == "ok", details[-80:],
                                    skipped))
        since = []
    return outcomes, since


def run_program(prefix, cmd, timeout):
    """Runs a program that prints ok / not ok lines; returns its Outcomes."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        output, status = p.stdout.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        output, status = (e.stdout or b"").decode(errors="replace"), None
    except OSError as e:
        return [run.Outcome(prefix + "runner: %s" % e, False)], time.monotonic() - start
    outcomes, rest = parse_results(prefix, output)
    failed = any(not o.ok for o in outcomes)
    if status is None or (status != 0 and not failed) or (status == 0 and failed) \
            or not outcomes:
        why = "timed out after %d s" % timeout if status is None else \
              "exited with status %s" % status
        if not outcomes:
            why += ", reported no results"
        details = ["# %s %s" % (" ".join(str(c) for c in cmd), why)] + \
                  ["| " + l for l in run.tail(rest, 40)]
        outcomes.append(run.Outcome(prefix + "runner (%s)" % why, False, details))
    return outcomes, time.monotonic() - start


def report(section, outcomes, seconds, counter):
    with print_lock:
        print("# %s (%.1f s)" % (section, seconds))
        run.print_outcomes(outcomes, first=counter[0])
        counter[0] += len(outcomes)


def main():
    p = argparse.ArgumentParser(description="Run every Wisp test.")
    p.add_argument("--build", default=str(HERE.parent / "build"))
    p.add_argument("--iso")
    p.add_argument("--smp", type=int, default=run.DEFAULT_SMP)
    p.add_argument("--jobs", type=int, default=2, help="QEMU boots at a time")
    p.add_argument("--skip-qemu", action="store_true", help="host tests only")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    run.VERBOSE = args.verbose
    build = Path(args.build)
    iso = Path(args.iso) if args.iso else build / "wisp.iso"
    log_dir = build / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    counter = [1]
    everything = []

    host, seconds = run_program("host ", [str(build / "host" / "unit-tests")], 300)
    report("host unit tests", host, seconds, counter)
    everything += host
    for script in sorted((HERE / "host").glob("test_*.py")):
        outcomes, seconds = run_program(script.stem + ": ", [sys.executable, str(script),
                                        "--build", str(build)], 300)
        report("host script %s" % script.name, outcomes, seconds, counter)
        everything += outcomes

    skipped = []
    if args.skip_qemu:
        skipped.append(run.Outcome("qemu tests (--skip-qemu)", True, skipped=True))
    elif not iso.exists():
        everything.append(run.Outcome("qemu tests: %s missing (make iso)" % iso, False))
    else:
        everything += run_qemu_tests(args, iso, log_dir, counter)
    everything += skipped
    if skipped:
        with print_lock:
            run.print_outcomes(skipped, first=counter[0])

    passed = sum(o.ok and not o.skipped for o in everything)
    failed = sum(not o.ok for o in everything)
    nskipped = sum(o.skipped for o in everything)
    print("# total time %.0f s; logs in %s" % (time.monotonic() - start, log_dir))
    print("%d passed, %d failed%s" % (passed, failed,
                                      ", %d skipped" % nskipped if nskipped else ""))
    return 1 if failed else 0


def run_qemu_tests(args, iso, log_dir, counter):
    """Kernel tests first (their output names the panic tests), e2e scripts
    beside them, then the panic tests, --jobs boots at a time."""
    results = []
    lock = threading.Lock()

    def collect(section, outcomes, seconds):
        report(section, outcomes, seconds, counter)
        with lock:
            results.extend(outcomes)

    def kernel_tests():
        t = time.monotonic()
        b, k, outcomes = run.run_kernel_tests(iso, smp=args.smp, log_dir=log_dir)
        collect("in-kernel tests (boot %.1f s, %s)" % (b.seconds, b.outcome), outcomes,
                time.monotonic() - t)
        return k.panic_tests

    def panic_test(name):
        b, outcome = run.run_panic_test(iso, name, smp=args.smp, log_dir=log_dir)
        collect("panic test %s" % name, [outcome], b.seconds)

    def e2e(script):
        cmd = [sys.executable, str(script), "--iso", str(iso), "--smp", str(args.smp),
               "--log-dir", str(log_dir)] + (["-v"] if args.verbose else [])
        outcomes, seconds = run_program(script.stem + ": ", cmd, E2E_TIMEOUT)
        collect("end-to-end %s" % script.name, outcomes, seconds)

    def guarded(what, fn, *fn_args):
        """A harness error is a failed test, never a missing summary line."""
        try:
            return fn(*fn_args)
        except Exception as e:
            collect(what, [run.Outcome("%s: harness error: %r" % (what, e), False)], 0)
            return []

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        kernel = pool.submit(guarded, "in-kernel tests", kernel_tests)
        others = [pool.submit(guarded, s.name, e2e, s)
                  for s in sorted((HERE / "qemu").glob("e2e_*.py"))]
        panic_names = kernel.result()
        others += [pool.submit(guarded, "panic " + n, panic_test, n) for n in panic_names]
        for f in others:
            f.result()
    return results


if __name__ == "__main__":
    sys.exit(main())
