#!/usr/bin/env python3
"""bench.py — `make bench`: figures measured in QEMU, min / median / max
over several boots, with the exact QEMU command that produced them.

A figure is a named value with a unit. Figures come from two places:
  - the kernel's log of an ordinary boot, through FIGURE_PATTERNS below
    (boot time to the console prompt and to the first test);
  - a boot with "bench" on the kernel command line, where each in-kernel
    benchmark (KBENCH, kernel/include/wisp/kbench.h) prints lines
    "bench: NAME VALUE UNIT"; every such line is a figure, with no change here.
To add a figure, print a "bench:" line from a KBENCH, or add a pattern below.

Then one more boot with COM2 as a unix socket, where wisp-push
pushes counter and qcounter versions repeatedly (tests/bench/push.py):
push throughput, swap latency from the last frame, grace period, quiescent
blackout, idle and under load (update.push_*, update.quiescent_*).

With --linux-initrd (and --native), the same run then boots Debian's Linux
kernel under the same QEMU settings and runs the native host benchmark, and
prints the side-by-side table of tests/bench/compare.py (see
docs/BENCHMARKS.md).
"""
import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import run  # noqa: E402
import compare  # noqa: E402
import push  # noqa: E402

# (regex with one number group, figure name, unit), applied to every log line.
FIGURE_PATTERNS = [
    (re.compile(r"boot: (\d+) ms from kernel entry to the console prompt"),
     "boot_entry_to_prompt", "ms"),
    (re.compile(r"boot: (\d+) ms from kernel entry to the first test"),
     "boot_entry_to_first_test", "ms"),
]
BENCH_LINE = re.compile(r"^bench: (\S+) ([-+]?\d+(?:\.\d+)?) (\S+)\s*$")
NO_TEST_SELECTED = "test=bench-selects-no-test"   # boots in test mode, runs nothing


class Figures:
    def __init__(self):
        self.values = {}        # name -> (unit, [values])
        self.order = []

    def add(self, name, value, unit):
        if name not in self.values:
            self.values[name] = (unit, [])
            self.order.append(name)
        self.values[name][1].append(value)

    def add_from_log(self, lines):
        for line in lines:
            m = BENCH_LINE.match(line)
            if m:
                self.add(m.group(1), float(m.group(2)), m.group(3))
                continue
            for regex, name, unit in FIGURE_PATTERNS:
                m = regex.search(line)
                if m:
                    self.add(name, float(m.group(1)), unit)

    def print_table(self):
        width = max([len(n) for n in self.order] + [6])
        print("%-*s %12s %12s %12s  %-6s %s" % (width, "figure", "min", "median", "max",
                                               "unit", "runs"))
        for name in self.order:
            unit, v = self.values[name]
            digits = 0 if all(x == int(x) for x in v) else 3
            cells = ["%.*f" % (digits, x) for x in (min(v), statistics.median(v), max(v))]
            print("%-*s %12s %12s %12s  %-6s %d" % (width, name, *cells, unit, len(v)))


def prompt_boot(args, figures):
    """A normal boot to the console prompt; also times it from the host."""
    with run.Console(args.iso, name="bench-prompt", smp=args.smp,
                     log_dir=args.log_dir) as con:
        seconds = con.wait_prompt()
        figures.add("qemu_start_to_prompt_wall", round(seconds * 1000), "ms")
        time.sleep(0.1)
        figures.add_from_log(con.text.split("\n"))
        return con.command_line


def logged_boot(args, figures, cmdline, name):
    b = run.boot(args.iso, cmdline, name, smp=args.smp, timeout=args.timeout,
                 log_dir=args.log_dir)
    if b.outcome != "pass":
        print("bench: boot with %r: %s: %s; last lines:" % (cmdline, b.outcome, b.reason))
        print("\n".join("| " + l for l in run.tail(b.lines, 20)))
        return b.command, False
    figures.add_from_log(b.lines)
    return b.command, True


def main():
    p = argparse.ArgumentParser(description="Boot-time and in-kernel benchmark figures.")
    p.add_argument("--iso", default=str(run.REPO / "build" / "wisp.iso"))
    p.add_argument("--smp", type=int, default=run.DEFAULT_SMP)
    p.add_argument("--runs", type=int, default=5, help="boots per kind (default 5)")
    p.add_argument("--bench", default="bench",
                   help="kernel argument of the benchmark boots ('bench=PREFIX' selects)")
    p.add_argument("--no-kernel-bench", action="store_true", help="boot-time figures only")
    p.add_argument("--push-rounds", type=int,
                   help="pushes of counter v2, v3, v1 (rollback) and of qcounter (default 5, 2 with "
                        "--quick; 0: no push boot)")
    p.add_argument("--push-loaded-rounds", type=int,
                   help="pushes of counter v2, v3, v1 (rollback) under hammer (default 2, 1 with --quick)")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--log-dir")
    p.add_argument("--linux-initrd", help="initramfs of tests/bench/linux: also boot Linux")
    p.add_argument("--linux-kernel", help="Linux image (default: newest /boot/vmlinuz-*)")
    p.add_argument("--native", help="native epoch benchmark binary (tests/bench/native)")
    p.add_argument("--quick", action="store_true", help="fewer rounds on the Linux and native side")
    p.add_argument("--out-dir", help="where the comparison writes its data and PNGs")
    args = p.parse_args()
    if not Path(args.iso).exists():
        sys.exit("bench.py: %s does not exist (make iso)" % args.iso)

    figures = Figures()
    commands = {}
    ok = True
    for _ in range(args.runs):
        commands["prompt"] = prompt_boot(args, figures)
        commands["test"], good = logged_boot(args, figures, NO_TEST_SELECTED, "bench-test")
        ok &= good
        if not args.no_kernel_bench:
            commands["bench"], good = logged_boot(args, figures, args.bench, "bench-kernel")
            ok &= good
    rounds = args.push_rounds if args.push_rounds is not None else 2 if args.quick else 5
    loaded = (args.push_loaded_rounds if args.push_loaded_rounds is not None
              else 1 if args.quick else 2)
    if rounds:
        commands["push"], good = push.run_pushes(args.iso, figures, rounds, loaded, args.smp,
                                                 args.log_dir)
        ok &= good

    print("QEMU (TCG, %d CPUs), %d boots of each kind; commands:" % (args.smp, args.runs))
    for kind, cmd in commands.items():
        if cmd:
            print("  %-6s %s" % (kind, run.quote_command(cmd).replace(str(run.REPO) + "/", "")))
    if commands.get("push"):
        tool = str(Path(args.iso).resolve().parent / "host" / "wisp-push")
        tool = tool.replace(str(run.REPO) + "/", "")
        print("  %-6s %s SOCKET SECTION --name NAME: %d round(s) of counter v2, v3, v1 (rollback) and of "
              "qcounter, %d under hammer" % ("", tool, rounds, loaded))
    print()
    figures.print_table()
    if args.linux_initrd or args.native:
        compare_with_linux(args, figures)
    return 0 if ok else 1


def compare_with_linux(args, figures):
    """Linux in the same QEMU settings, the native benchmark, one table."""
    commands = {}
    if args.linux_initrd:
        kernel = args.linux_kernel or compare.linux_kernel()
        if not kernel:
            sys.exit("bench.py: no /boot/vmlinuz-* (Debian package linux-image-amd64)")
        log_dir = args.log_dir or run.default_log_dir(args.iso)
        boots = 1 if args.quick else 3
        for boot in range(1, boots + 1):
            commands["linux"] = compare.boot_linux(kernel, args.linux_initrd, log_dir, args.smp,
                                                   args.quick, figures, boot)
    if args.native:
        commands["native"] = compare.run_native(args.native, args.quick, figures)
    print()
    print("Side by side (Linux: %d boot(s), lbench repeats each workload in each; "
          "native: host CPU):" % (1 if args.quick else 3))
    for kind, cmd in commands.items():
        print("  %-6s %s" % (kind, run.quote_command(cmd).replace(str(run.REPO) + "/", "")))
    print()
    rows = compare.comparison_rows(figures)
    compare.print_comparison(rows)
    if args.out_dir:
        compare.write_plots(rows, figures, args.out_dir)


if __name__ == "__main__":
    sys.exit(main())
