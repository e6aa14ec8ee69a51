#!/usr/bin/env python3
"""run.py — boots Wisp in QEMU for tests and reads what the kernel says.

One QEMU command line for every test and benchmark (qemu_command). Extra
kernel arguments go through fw_cfg ("opt/wisp/cmdline"), so one ISO serves
every configuration. The serial console is captured to a log file under
build/test-logs/, and each boot is classified from QEMU's exit status:

    pass   33  the kernel wrote QEMU_EXIT_PASS to isa-debug-exit
    fail   35  QEMU_EXIT_FAIL
    panic  37  QEMU_EXIT_PANIC (or a PANIC line when the boot timed out)
    hang       no exit before the timeout (QEMU is killed)
    crash      QEMU ended any other way (triple fault with -no-reboot, ...)

Command line (stdlib only, python3):
    run.py                          in-kernel tests, then every panic test
    run.py --cmdline test=sched_    one boot with these kernel arguments
    run.py --panic-test NAME        one expected-panic test
    run.py --console                boot normally, serial on this terminal

Python API, for the end-to-end scripts (tests/qemu/e2e_*.py):
    with Console(iso) as con:
        con.wait_prompt()
        out = con.command("cpus")       # text between the echo and the prompt
    checks = Checks(); checks.check("name", condition, "detail"); checks.done()
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")

# isa-debug-exit: QEMU exits with (code << 1) | 1; codes in kernel/include/wisp/boot.h.
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 0x10 * 2 + 1, 0x11 * 2 + 1, 0x12 * 2 + 1

DEFAULT_SMP = 4
DEFAULT_MEM = "512M"
TEST_TIMEOUT = 300       # seconds for the whole in-kernel test boot
PANIC_TIMEOUT = 120      # seconds for one panic-test boot
PROMPT_TIMEOUT = 120     # seconds from QEMU start to the first console prompt
PROMPT = "wisp> "
SHELL_PROMPT = "wisp$ "  # the user-space shell (user/shell/shell.c)

VERBOSE = False


# UEFI firmware for QEMU (Debian's ovmf package); BIOS (SeaBIOS) is the default.
OVMF = "/usr/share/ovmf/OVMF.fd"


# The PCI devices of every test boot (kernel/dev/, MODULES.md "Devices,
# resources and interfaces"): two of QEMU's `edu` teaching devices (the
# edu module drives both, one instance each), two virtio disks on null
# block devices (reads give zeroes, nothing touches a file) and a
# virtio NIC whose user network is restricted: the guest reaches nothing
# outside this machine.
TEST_DEVICES = [
    "-device", "edu", "-device", "edu",
    "-blockdev", "null-co,node-name=disk0,size=67108864,read-zeroes=on",
    "-device", "virtio-blk-pci,drive=disk0",
    "-blockdev", "null-co,node-name=disk1,size=67108864,read-zeroes=on",
    "-device", "virtio-blk-pci,drive=disk1",
    "-netdev", "user,id=net0,restrict=on",
    "-device", "virtio-net-pci,netdev=net0",
]


def qemu_command(iso, serial, smp=DEFAULT_SMP, mem=DEFAULT_MEM, cmdline=None, uefi=False,
                 update_socket=None, devices=True):
    """The one QEMU command line of the tests and benchmarks (TCG only).
    update_socket: a path; COM2, the live-update line, becomes a unix
    socket there (QEMU listens; wisp-push connects). devices: add
    TEST_DEVICES."""
    cmd = [QEMU, "-M", "q35", "-cpu", "max", "-smp", str(smp), "-m", mem,
           "-no-reboot", "-display", "none"]
    if uefi:
        cmd += ["-bios", OVMF]
    cmd += [
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-cdrom", str(iso), "-serial", serial]
    if devices:
        cmd += TEST_DEVICES
    if update_socket:
        cmd += ["-chardev", "socket,id=upd,path=%s,server=on,wait=off" % update_socket,
                "-serial", "chardev:upd"]
    if cmdline:
        # QEMU option syntax: a literal comma is written twice.
        cmd += ["-fw_cfg", "name=opt/wisp/cmdline,string=" + cmdline.replace(",", ",,")]
    return cmd


def quote_command(cmd):
    return " ".join(a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a + "'" for a in cmd)


def default_log_dir(iso):
    return Path(iso).resolve().parent / "test-logs"


def log_name(text):
    return re.sub(r"[^\w.-]+", "_", text).strip("_") or "boot"


# ------------------------------------------------------------------ one boot

@dataclass
class Boot:
    outcome: str              # pass | fail | panic | hang | crash
    status: object            # QEMU exit status, None when killed
    reason: str
    log_path: Path
    lines: list
    seconds: float
    command: list


def classify(status, lines, timed_out, qemu_output):
    panicked = any(PANIC_LINE.search(line) for line in lines)
    if timed_out:
        if panicked:
            return "panic", "panicked, then did not exit before the timeout"
        return "hang", "no exit before the timeout"
    if status == EXIT_PASS:
        return "pass", "exit status 33 (pass)"
    if status == EXIT_FAIL:
        return "fail", "exit status 35 (fail)"
    if status == EXIT_PANIC:
        return "panic", "exit status 37 (panic)"
    if status == 0:
        why = "QEMU exited with status 0: the guest reset (triple fault?) or powered off"
    else:
        why = "QEMU exited with status %s" % status
    if qemu_output.strip():
        why += "; QEMU said: " + qemu_output.strip().splitlines()[-1]
    return "crash", why


def boot(iso, cmdline, name, smp=DEFAULT_SMP, timeout=TEST_TIMEOUT, log_dir=None, uefi=False):
    """Boots once with the serial line going to a log file; returns a Boot."""
    log_dir = Path(log_dir or default_log_dir(iso))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / (log_name(name) + ".log")
    log_path.unlink(missing_ok=True)
    cmd = qemu_command(iso, "file:" + str(log_path), smp=smp, cmdline=cmdline, uefi=uefi)
    if VERBOSE:
        print("# qemu: " + quote_command(cmd), flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    timed_out = False
    try:
        qemu_output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.kill()
        qemu_output, _ = proc.communicate()
    seconds = time.monotonic() - start
    lines = read_log(log_path)
    qemu_output = qemu_output.decode(errors="replace")
    outcome, reason = classify(proc.returncode, lines, timed_out, qemu_output)
    return Boot(outcome, None if timed_out else proc.returncode, reason, log_path, lines,
                seconds, cmd)


def read_log(path):
    try:
        text = Path(path).read_bytes().decode(errors="replace")
    except FileNotFoundError:
        return []
    return text.replace("\r", "").split("\n")


def tail(lines, n=40):
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines[-n:]


# ------------------------------------------------------------------ results

@dataclass
class Outcome:
    """One counted test: a KTAP result, a panic test, an e2e check."""
    name: str
    ok: bool
    details: list = field(default_factory=list)   # shown when not ok
    skipped: bool = False

    def line(self, number):
        return "%s %d %s%s" % ("ok" if self.ok else "not ok", number, self.name,
                               " # SKIP" if self.skipped else "")


def print_outcomes(outcomes, out=sys.stdout, first=1):
    for i, o in enumerate(outcomes, first):
        if not o.ok:
            for d in o.details:
                print("    " + d if d else "", file=out)
        print(o.line(i), file=out)
    out.flush()


# ------------------------------------------------------------------ KTAP

KTAP_VERSION = re.compile(r"^KTAP version 1\s*$")
KTAP_PLAN = re.compile(r"^1\.\.(\d+)\s*$")
KTAP_RESULT = re.compile(r"^(ok|not ok) (\d+) (\S+)(?: # (\d+) ms)?")
KTAP_DETAIL = re.compile(r"^    # (\S+): (.*)$")
KTAP_PANIC_TEST = re.compile(r"^# panic-test (\S+)\s*$")
KTAP_SUMMARY = re.compile(r"^# ktest: (\d+) passed, (\d+) failed\s*$")
PANIC_LINE = re.compile(r"PANIC on cpu\d+")
SYMBOLIZED_FRAME = re.compile(r"\[[0-9a-f]{16}\] [A-Za-z_]")


@dataclass
class KtapResult:
    number: int
    name: str
    ok: bool
    ms: object
    lines: list        # every log line since the previous result (details, logs)


@dataclass
class Ktap:
    version: bool = False
    plan: object = None
    results: list = field(default_factory=list)
    panic_tests: list = field(default_factory=list)
    summary: object = None      # (passed, failed) from "# ktest:"


def parse_ktap(lines):
    k = Ktap()
    since = []
    for line in lines:
        if KTAP_VERSION.match(line):
            k.version = True
            since = []
            continue
        m = KTAP_PLAN.match(line)
        if m and k.version and k.plan is None:
            k.plan = int(m.group(1))
            continue
        m = KTAP_PANIC_TEST.match(line)
        if m:
            k.panic_tests.append(m.group(1))
            continue
        m = KTAP_SUMMARY.match(line)
        if m:
            k.summary = (int(m.group(1)), int(m.group(2)))
            continue
        m = KTAP_RESULT.match(line)
        if m and k.version:
            k.results.append(KtapResult(int(m.group(2)), m.group(3), m.group(1) == "ok",
                                        m.group(4) and int(m.group(4)), since))
            since = []
            continue
        since.append(line)
    return k


def boot_failure_details(b, lines=40):
    return (["# %s: %s (log: %s)" % (b.outcome, b.reason, b.log_path),
             "# last %d lines of the serial log:" % lines]
            + ["| " + line for line in tail(b.lines, lines)])


def kernel_test_outcomes(b, k):
    """Each KTAP result is one test; a boot that went wrong adds one failure."""
    outcomes = []
    for r in k.results:
        details = []
        if not r.ok:
            details = ["# %s: serial log lines of this test (log: %s):" % (r.name, b.log_path)]
            details += ["| " + line for line in tail(r.lines, 60)]
        outcomes.append(Outcome("ktest " + r.name, r.ok, details))
    problems = []
    if not k.version:
        problems.append("no 'KTAP version 1' line")
    elif k.plan is None:
        problems.append("no KTAP plan line")
    elif len(k.results) != k.plan:
        problems.append("plan says %d tests, %d reported" % (k.plan, len(k.results)))
    if k.version and k.summary is None:
        problems.append("no '# ktest: N passed, N failed' summary")
    if b.outcome not in ("pass", "fail"):
        problems.insert(0, b.reason)
        if k.plan is not None and len(k.results) < k.plan:
            last = k.results[-1] if k.results else None
            culprit = re.search(r"\] ktest_fn_(\w+)\+", "\n".join(b.lines))
            problems.insert(1, "stopped during test %d of %d%s" % (
                len(k.results) + 1, k.plan,
                " (%s, from its backtrace)" % culprit.group(1) if culprit else
                " (the one after %s)" % last.name if last else ""))
    elif b.outcome == "fail" and all(r.ok for r in k.results):
        problems.append("exit status 35 (fail) but every KTAP result is ok")
    if problems:
        details = boot_failure_details(b)
        details[0] = "# %s (log: %s)" % ("; ".join(problems), b.log_path)
        outcomes.append(Outcome("ktest boot (%s)" % b.outcome, False, details))
    return outcomes


def run_kernel_tests(iso, selection="", smp=DEFAULT_SMP, timeout=TEST_TIMEOUT, log_dir=None):
    """One boot running the in-kernel tests; returns (Boot, Ktap, outcomes)."""
    cmdline = "test=" + selection if selection else "test"
    b = boot(iso, cmdline, "ktest", smp=smp, timeout=timeout, log_dir=log_dir)
    k = parse_ktap(b.lines)
    return b, k, kernel_test_outcomes(b, k)


def check_panic_boot(name, b):
    """Returns the list of reasons the panic test failed (empty: it passed)."""
    problems = []
    expects = None
    pattern = re.compile(r"ktest: panic test %s expects: (.*?)\s*$" % re.escape(name))
    for line in b.lines:
        m = pattern.search(line)
        if m:
            expects = m.group(1)
    if expects is None:
        problems.append("the kernel never started panic test %s" % name)
    if b.outcome != "panic":
        problems.append("expected a panic (exit status 37), got %s: %s" % (b.outcome, b.reason))
    panic_lines = [line for line in b.lines if PANIC_LINE.search(line)]
    if not panic_lines:
        problems.append("no 'PANIC on cpuN' line")
    elif expects is not None and not any(expects in line for line in panic_lines):
        problems.append("the PANIC line does not contain %r" % expects)
    after = b.lines[b.lines.index(panic_lines[0]):] if panic_lines else []
    if panic_lines and not any(SYMBOLIZED_FRAME.search(line) for line in after):
        problems.append("the backtrace has no symbolized frame")
    elif panic_lines and not any("ktest_fn_" + name in line for line in after):
        problems.append("the backtrace does not name ktest_fn_%s" % name)
    return problems


def run_panic_test(iso, name, smp=DEFAULT_SMP, timeout=PANIC_TIMEOUT, log_dir=None):
    b = boot(iso, "panic_test=" + name, "panic-" + name, smp=smp, timeout=timeout,
             log_dir=log_dir)
    problems = check_panic_boot(name, b)
    details = []
    if problems:
        details = ["# panic test %s: %s" % (name, "; ".join(problems))]
        details += boot_failure_details(b)[1:]
        details.insert(1, "# log: %s" % b.log_path)
    return b, Outcome("panic " + name, not problems, details)


# ------------------------------------------------------------------ interactive

class ConsoleError(Exception):
    pass


class Console:
    """A normal boot whose COM1 is a pipe: wait for text, send lines.

    Everything the kernel writes is also copied to build/test-logs/NAME.log.
    By default the kernel gets the argument `monitor`, so COM1 is the kernel
    monitor's `wisp> ` prompt; shell=True boots to the user-space shell.
    """

    def __init__(self, iso, name="console", smp=DEFAULT_SMP, cmdline=None, log_dir=None,
                 update_socket=None, shell=False):
        if not shell:
            cmdline = "monitor" + (" " + cmdline if cmdline else "")
        self.prompt = SHELL_PROMPT if shell else PROMPT
        self.iso, self.name, self.smp, self.cmdline = iso, name, smp, cmdline
        self.update_socket = update_socket
        self.log_dir = Path(log_dir or default_log_dir(iso))
        self.log_path = self.log_dir / (log_name(name) + ".log")
        self.text = ""
        self.pos = 0                # expect() searches from here
        self.cond = threading.Condition()
        self.eof = False
        self.proc = None
        self.started = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self.command_line = qemu_command(self.iso, "stdio", smp=self.smp, cmdline=self.cmdline,
                                         update_socket=self.update_socket)
        if VERBOSE:
            print("# qemu: " + quote_command(self.command_line), flush=True)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.command_line, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 4096)
            if not data:
                break
            chunk = data.decode(errors="replace").replace("\r", "")
            with self.cond:
                self.text += chunk
                self.log.write(chunk)
                self.log.flush()
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def expect(self, pattern, timeout=30):
        """Waits for a regex in the output not yet consumed; consumes up to it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                m = regex.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    why = "QEMU exited (status %s)" % self.proc.poll() if self.eof else \
                          "timed out after %d s" % timeout
                    raise ConsoleError("waiting for %r: %s; last lines:\n%s" % (
                        pattern, why, "\n".join("| " + l for l in tail(self.text.split("\n"), 40))))
                self.cond.wait(left)

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_prompt(self, timeout=PROMPT_TIMEOUT):
        self.expect(re.escape(self.prompt), timeout)
        return time.monotonic() - self.started

    def command(self, line, timeout=30):
        """Sends one console line; returns its output (without the echo)."""
        start = self.pos
        self.send(line + "\r")
        m = self.expect(r"(?m)^" + re.escape(self.prompt), timeout)
        out = self.text[start:m.start()]
        echo = line + "\n"
        i = out.find(echo)
        return out[i + len(echo):] if i >= 0 else out

    def wait_exit(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
            self.reader.join(5)
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.log.close()


class Checks:
    """The e2e script protocol: one 'ok N name' / 'not ok N name' line per
    check, '    # ' lines with details before a failed one, and a last line
    '# e2e: N passed, N failed'; the script exits 1 when any check failed.
    tests/run-all.py counts the ok / not ok lines."""

    def __init__(self, out=sys.stdout, verbose=False, detail_lines=None, label="e2e"):
        self.out = out
        self.verbose = verbose              # details of passing checks too
        self.detail_lines = detail_lines    # keep only the last N lines of each detail
        self.label = label
        self.passed = self.failed = 0

    def check(self, name, ok, *details):
        if not ok or self.verbose:
            for d in details:
                for line in str(d).split("\n")[-(self.detail_lines or 0):]:
                    print("    # " + line, file=self.out)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%s %d %s" % ("ok" if ok else "not ok", self.passed + self.failed, name),
              file=self.out, flush=True)
        return ok

    def done(self):
        print("# %s: %d passed, %d failed" % (self.label, self.passed, self.failed),
              file=self.out, flush=True)
        return 1 if self.failed else 0


def e2e_arguments(description):
    """Arguments every e2e script takes (run-all passes them)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--iso", default=str(REPO / "build" / "wisp.iso"))
    p.add_argument("--smp", type=int, default=DEFAULT_SMP)
    p.add_argument("--log-dir")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    return args


def e2e_with_update_line(description, name, body):
    """The main of an e2e script that pushes over the update line: boots
    with COM2 as a unix socket in a new temporary directory, waits for the
    prompt and calls body(con, checks, build, sock, tmp); a console or push
    that stops answering is one failed check. Returns the exit status."""
    import tempfile
    args = e2e_arguments(description)
    checks = Checks()
    build = Path(args.iso).resolve().parent
    tmp = Path(tempfile.mkdtemp(prefix="wisp-%s-" % name))
    sock = tmp / "com2.sock"
    with Console(args.iso, name=name, smp=args.smp, log_dir=args.log_dir,
                 update_socket=str(sock)) as con:
        try:
            con.wait_prompt()
            body(con, checks, build, sock, tmp)
        except (ConsoleError, subprocess.TimeoutExpired) as e:
            checks.check("console and update line answer", False, e)
    return checks.done()


# ------------------------------------------------------------------ command line

def main():
    p = argparse.ArgumentParser(description="Boot Wisp in QEMU for tests.")
    p.add_argument("--iso", default=str(REPO / "build" / "wisp.iso"))
    p.add_argument("--smp", type=int, default=DEFAULT_SMP)
    p.add_argument("--cmdline", help="kernel arguments for one boot (e.g. 'test=sched_')")
    p.add_argument("--panic-test", metavar="NAME", help="run one expected-panic test")
    p.add_argument("--no-panic-tests", action="store_true",
                   help="with the default run, skip the panic tests")
    p.add_argument("--console", action="store_true", help="boot normally on this terminal")
    p.add_argument("--timeout", type=float)
    p.add_argument("--log-dir")
    p.add_argument("--results", help="also write the ok / not ok lines to this file")
    p.add_argument("-v", "--verbose", action="store_true", help="print the QEMU command")
    args = p.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    if not Path(args.iso).exists():
        sys.exit("run.py: %s does not exist (make iso)" % args.iso)

    if args.console:
        cmd = qemu_command(args.iso, "mon:stdio", smp=args.smp, cmdline=args.cmdline)
        print("# qemu: " + quote_command(cmd) + "\n# quit: Ctrl-A then X", flush=True)
        return subprocess.call(cmd)

    outcomes = []
    if args.panic_test:
        b, o = run_panic_test(args.iso, args.panic_test, args.smp,
                              args.timeout or PANIC_TIMEOUT, args.log_dir)
        outcomes.append(o)
    elif args.cmdline and not re.match(r"^test(=|\s|$)", args.cmdline):
        b = boot(args.iso, args.cmdline, "boot", args.smp, args.timeout or TEST_TIMEOUT,
                 args.log_dir)
        print("\n".join(b.lines))
        print("# %s: %s (log: %s)" % (b.outcome, b.reason, b.log_path))
        return 0 if b.outcome == "pass" else 1
    else:
        selection = ""
        if args.cmdline and args.cmdline.startswith("test="):
            selection = args.cmdline.split()[0][len("test="):]
        b, k, kernel_outcomes = run_kernel_tests(args.iso, selection, args.smp,
                                                 args.timeout or TEST_TIMEOUT, args.log_dir)
        outcomes += kernel_outcomes
        if not args.cmdline and not args.no_panic_tests:
            for name in k.panic_tests:
                outcomes.append(run_panic_test(args.iso, name, args.smp,
                                               args.timeout or PANIC_TIMEOUT, args.log_dir)[1])

    print("1..%d" % len(outcomes))
    print_outcomes(outcomes)
    failed = sum(not o.ok for o in outcomes)
    print("# qemu: %d passed, %d failed" % (len(outcomes) - failed, failed))
    if args.results:
        with open(args.results, "w") as f:
            print_outcomes(outcomes, f)
    return 1 if failed or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
