"""compare.py — the side-by-side part of `make bench` (tests/qemu/bench.py).

After Wisp's own figures, bench.py calls in here to:
  - boot Debian's Linux kernel under the same QEMU settings as Wisp, with
    the initramfs of linux/build-initramfs.sh, and collect its
    "bench: linux.*" lines (linux/lbench.c);
  - run the native host benchmark (native/, "bench: native.*" lines);
  - print one table: figure, Wisp min/median, Linux (or the native
    competitor) min/median, ratio; then Wisp's own figures that have no
    counterpart (live update, scaling), a ratio only where both sides are
    Wisp's (a slot call against a direct call); and write the plots' data
    and PNGs.

Ratios are always "Wisp's cost over the other's": above 1 Wisp is slower
(for throughputs, which are better when higher, the ratio is inverted so
that the reading stays the same).
"""
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "qemu"))
import run  # noqa: E402

LINUX_CMDLINE = "console=ttyS0 quiet printk.time=1 clocksource=tsc tsc=reliable"
# Rows with no Wisp figure yet, and why.
NOT_MEASURED = {}

# Units compared across the sides: each is converted to its base before
# the ratio (the cells keep their own units).
UNIT_BASE = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9, "KiB": 1.0, "pages": 4.0}

# (label, Wisp figure, other figure, higher_is_better). A section title
# has neither figure; a None Wisp figure is a row that needs Wisp user
# processes; a None other figure is a Wisp figure alone (no ratio).
ROWS = [
    ("QEMU guest (TCG, same settings on both sides)", None, None, None),
    ("direct call, the floor", "rcu.direct_call", "linux.direct_call", False),
    ("Wisp slot call (epoch section) / Linux direct call", "rcu.slot_call", "linux.direct_call", False),
    ("Wisp symtab slot call / Linux direct call", "symtab.slot_call", "linux.direct_call", False),
    ("Wisp epoch read section / Linux direct call", "rcu.read_section", "linux.direct_call", False),
    ("epoch read section / rcu_read_lock+unlock (module)", "rcu.read_section",
     "linux.rcu_read_section", False),
    ("grace period, idle, 4 CPUs / synchronize_rcu", "rcu.gp_latency.idle.cpus4",
     "linux.synchronize_rcu", False),
    ("grace period, idle, 4 CPUs / synchronize_rcu_expedited", "rcu.gp_latency.idle.cpus4",
     "linux.synchronize_rcu_expedited", False),
    ("grace period, busy readers, 4 CPUs / synchronize_rcu", "rcu.gp_latency.busy.cpus4",
     "linux.synchronize_rcu.busy.cpus4", False),
    ("grace period, busy readers, 4 CPUs / synchronize_rcu_expedited",
     "rcu.gp_latency.busy.cpus4", "linux.synchronize_rcu_expedited.busy.cpus4", False),
    ("boot to where the first program starts / Linux to /init", "boot_entry_to_first_test",
     "linux.boot_to_init", False),
    ("direct call in a program / in a Linux program", "ghost.direct_call", "linux.direct_call",
     False),
    ("null gate (ghost null()) / getppid system call", "ghost.gate_call", "linux.null_syscall",
     False),
    ("module export via the gate (counter_read) / getppid", "ghost.module_call",
     "linux.null_syscall", False),
    ("user-mode ghost clock_ns / vDSO clock_gettime COARSE", "ghost.user_code_call",
     "linux.vdso_clock_coarse", False),
    ("user-mode ghost clock_ns / vDSO clock_gettime MONOTONIC", "ghost.user_code_call",
     "linux.vdso_clock_monotonic", False),
    ("spawn+exit+wait, static program", "process.spawn_exit_wait", "linux.spawn_static", False),
    ("spawn+exit+wait / Linux dynamic (ld.so)", "process.spawn_exit_wait",
     "linux.spawn_dynamic", False),
    ("context switch, two processes ping-pong", "process.context_switch",
     "linux.context_switch", False),
    ("page fault, fresh anonymous page", "process.page_fault", "linux.page_fault", False),
    ("memory per extra process / Linux static", "process.extra_total_pages",
     "linux.mem_per_process_static", False),
    ("memory per extra process / Linux dynamic", "process.extra_total_pages",
     "linux.mem_per_process_dynamic", False),
    ("Native host (same C, no emulation)", None, None, None),
]
for other, label in [("urcu_memb", "liburcu memb"), ("urcu_qsbr", "liburcu QSBR"),
                     ("ck_epoch", "plain ck_epoch")]:
    ROWS += [
        ("read section, 1 thread: Wisp / " + label,
         "native.wisp_epoch.read_section.t1", "native.%s.read_section.t1" % other, False),
        ("read section, 2 threads: Wisp / " + label,
         "native.wisp_epoch.read_section.t2", "native.%s.read_section.t2" % other, False),
        ("slot load+call, 1 thread: Wisp / " + label,
         "native.wisp_epoch.slot_call.t1", "native.%s.slot_call.t1" % other, False),
        ("grace period, busy reader: Wisp / " + label,
         "native.wisp_epoch.gp_latency.busy", "native.%s.gp_latency.busy" % other, False),
        ("reads/s while an updater swaps: Wisp / " + label,
         "native.wisp_epoch.read_throughput.swapping",
         "native.%s.read_throughput.swapping" % other, True),
        ("swaps/s beside a reader: Wisp / " + label,
         "native.wisp_epoch.updates_while_reading",
         "native.%s.updates_while_reading" % other, True),
    ]
ROWS.append(("Wisp slot call / native direct call", "native.wisp_epoch.slot_call.t1",
             "native.direct_call", False))
# Both sides Wisp's where there is a ratio; update.push_* come from
# tests/bench/push.py, the rest from the in-kernel KBENCHes.
ROWS += [
    ("Wisp only (QEMU guest; ratio only where both sides are Wisp's)", None, None, None),
    ("slot call (epoch section) / Wisp direct call", "rcu.slot_call", "rcu.direct_call", False),
    ("dispatch-thunk call / Wisp direct call", "update.dispatch_call", "update.direct_call",
     False),
    ("message ping-pong across CPUs, per message", "process.message_round_trip_cross_cpu", None,
     False),
    ("swap in kernel (counter): total", "update.swap_total", None, False),
    ("swap in kernel (counter): switch", "update.swap_switch", None, False),
    ("swap in kernel (counter): grace period", "update.swap_grace_period", None, False),
    ("push: throughput over the serial line", "update.push_throughput", None, True),
    ("push: load (relocate, link, init)", "update.push_load", None, False),
    ("push: switch", "update.push_switch", None, False),
    ("push: grace period", "update.push_grace_period", None, False),
    ("push: serving, from the last frame", "update.push_swap_latency", None, False),
    ("quiescent push: blackout", "update.quiescent_blackout", None, False),
    ("quiescent push: serving, from the last frame", "update.quiescent_swap_latency", None,
     False),
    ("quiescent push under qhammer: blackout", "update.quiescent_blackout.loaded", None, False),
    ("quiescent push under qhammer: serving, from the last frame",
     "update.quiescent_swap_latency.loaded", None, False),
    ("push under hammer: throughput", "update.push_throughput.loaded", None, True),
    ("push under hammer: grace period", "update.push_grace_period.loaded", None, False),
    ("push under hammer: serving, from the last frame", "update.push_swap_latency.loaded",
     None, False),
    ("epoch read throughput, 1 CPU", "rcu.read_throughput.cpus1", None, True),
    ("epoch read throughput, 4 CPUs (2 host cores)", "rcu.read_throughput.cpus4", None, True),
    ("scaling 1 -> 4 CPUs (4 CPUs / 1)", "rcu.read_scaling.cpus4", None, True),
    ("module export calls from programs, 1 thread", "ghost.module_calls.threads1", None, True),
    ("module export calls from programs, 4 threads", "ghost.module_calls.threads4", None, True),
    ("scaling 1 -> 4 user threads (4 / 1)", "ghost.module_call_scaling.threads4", None, True),
]


def linux_kernel():
    """Debian's newest installed kernel image (linux-image-amd64)."""
    images = sorted(Path("/boot").glob("vmlinuz-*"))
    return images[-1] if images else None


def linux_command(kernel, initrd, serial, smp, quick):
    """Wisp's QEMU settings (run.qemu_command), booting Linux instead."""
    append = LINUX_CMDLINE + (" lbench=quick" if quick else "")
    return [run.QEMU, "-M", "q35", "-cpu", "max", "-smp", str(smp), "-m", run.DEFAULT_MEM,
            "-no-reboot", "-display", "none", "-kernel", str(kernel), "-initrd", str(initrd),
            "-append", append, "-serial", serial]


def boot_linux(kernel, initrd, log_dir, smp, quick, figures, boot=1, timeout=600):
    """One boot; lbench repeats each workload itself. Returns the command."""
    log = Path(log_dir) / ("linux-bench-%d.log" % boot)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    cmd = linux_command(kernel, initrd, "file:" + str(log), smp, quick)
    try:
        subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired:
        print("bench: the Linux boot did not power off within %d s (%s)" % (timeout, log))
    lines = run.read_log(log)
    if not any("# lbench: done" in line for line in lines):
        print("bench: Linux benchmark incomplete; last lines of %s:" % log)
        print("\n".join("| " + line for line in run.tail(lines, 15)))
    figures.add_from_log(lines)
    return cmd


def run_native(binary, quick, figures):
    cmd = [str(binary)] + (["--quick"] if quick else [])
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False).stdout
    figures.add_from_log(out.split("\n"))
    return cmd


def _cell(figures, name):
    """(median in its unit's base, "min / median unit") — None when missing."""
    if name not in figures.values:
        return None, "missing"
    unit, v = figures.values[name]
    digits = 0 if min(v) >= 1000 else 3 if min(v) < 10 else 1
    return statistics.median(v) * UNIT_BASE.get(unit, 1.0), "%.*f / %.*f %s" % (
        digits, min(v), digits, statistics.median(v), unit)


def comparison_rows(figures):
    """[(label, wisp cell, other cell, ratio or None)] — sections have None cells."""
    rows = []
    for label, wisp, other, higher_better in ROWS:
        if wisp is None and other is None:
            rows.append((label, None, None, None))
            continue
        if other is None:
            rows.append((label, _cell(figures, wisp)[1], "-", None))
            continue
        o_med, o_cell = _cell(figures, other)
        if wisp is None:
            rows.append((label, NOT_MEASURED.get(label, "n/a"), o_cell, None))
            continue
        w_med, w_cell = _cell(figures, wisp)
        ratio = None
        if w_med is not None and o_med:
            ratio = (o_med / w_med if w_med else None) if higher_better else w_med / o_med
        rows.append((label, w_cell, o_cell, ratio))
    return rows


def print_comparison(rows):
    width = max(len(r[0]) for r in rows)
    print("%-*s  %-38s  %-30s  %s" % (width, "figure", "Wisp (min / median)",
                                       "other side (min / median)", "ratio"))
    for label, w, o, ratio in rows:
        if w is None:
            print("\n-- " + label)
            continue
        print("%-*s  %-38s  %-30s  %s" % (width, label, w, o,
                                           "%.3g" % ratio if ratio is not None else "-"))
    print("ratio: Wisp's cost / the other's, median over median (> 1: Wisp is slower;"
          " throughputs inverted to read the same way).")


def write_plots(rows, figures, out_dir):
    """Data files and PNGs (gnuplot, Debian's gnuplot-nox) under out_dir."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "ratios.dat", "w") as f:
        for label, _w, _o, ratio in rows:
            if ratio is not None:
                f.write('"%s" %.4f\n' % (label.replace('"', "'"), ratio))
    with open(out / "scaling.dat", "w") as f:  # cpus, epoch Mreads/s, module Mcalls/s
        for cpus in (1, 2, 4):
            cells = []
            for name in ("rcu.read_throughput.cpus%d" % cpus, "ghost.module_calls.threads%d" % cpus):
                values = figures.values.get(name)
                cells.append("%.3f" % statistics.median(values[1]) if values else "NaN")
            f.write("%d %s\n" % (cpus, " ".join(cells)))
    try:
        subprocess.run(["gnuplot", "-e", "dir='%s'" % out, str(HERE / "plot.gp")],
                       check=True)
        print("plots: %s/ratios.png %s/scaling.png" % (out, out))
    except (OSError, subprocess.CalledProcessError) as e:
        print("bench: no plots (%s)" % e)
