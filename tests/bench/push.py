"""push.py — the live-update figures of `make bench` measured over the
update line, as a developer's push sees them (tests/qemu/bench.py calls
run_pushes() after its boots).

One boot of the release image with COM2 as a unix socket (run.Console
update_socket, as tests/qemu/e2e_update_line.py); BUILD/host/wisp-push sends
the section files that tests/build.mk writes to BUILD/test-update:
  - counter v2, v3, then v1 signed as a rollback, ROUNDS times: concurrent
    swaps on an idle system (a push must be newer than the running
    version, so going back to v1 needs the rollback flag);
  - qcounter v1 (a push loads it), then ROUNDS quiescent swaps: v2 (which
    converts the state layout 1 -> 2), then v3 and v2 signed as a rollback
    in turn (the same layout; qcounter's manifest asks for quiescence);
  - counter v2, v3, v1 (rollback), LOADED_ROUNDS times while `hammer`
    threads call counter on every CPU: concurrent swaps under load;
  - qcounter v3 and v2 (rollback) in turn, LOADED_ROUNDS times while
    `qhammer` calls qcounter in a loop: quiescent swaps that must pause and
    release a running caller.

Each push gives its figures from wisp-push's summary ("N bytes in S s
(R KiB/s)") and the kernel's verdict ("load N us, switch N ns, blackout N
us, grace period N us", and "serving N us after the last frame" where the
kernel reports it). The host cannot time the verdict itself: the kernel's
acknowledgement of the last frame may reach it with the verdict. Names:
update.push_* (concurrent, idle), update.quiescent_* (quiescent),
update.push_*.loaded (concurrent, under hammer), update.quiescent_*.loaded
(quiescent, under qhammer).
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "qemu"))
import run  # noqa: E402

COUNTER_VERSIONS = ("counter_v2.sec", "counter_v3.sec", "counter_v1_rollback.sec")
# After v2: v3 and v2 (rollback) in turn, each newer or signed to go back.
QCOUNTER_TURNS = ("qcounter_v3.sec", "qcounter_v2_rollback.sec")
SECTIONS = COUNTER_VERSIONS + ("qcounter_v1.sec", "qcounter_v2.sec") + QCOUNTER_TURNS

SUMMARY = re.compile(r"wisp-push: \d+ bytes in [\d.]+ s \(([\d.]+) KiB/s\), (\d+) frames "
                     r"retransmitted")
# (regex on the verdict, figure suffix, unit). A field the kernel does not
# print gives no figure.
VERDICT_FIELDS = (
    (re.compile(r"\bload (\d+) us"), "load", "us"),
    (re.compile(r"\bswitch (\d+) ns"), "switch", "ns"),
    (re.compile(r"\bblackout (\d+) us"), "blackout", "us"),
    (re.compile(r"\bgrace period (\d+) us"), "grace_period", "us"),
    (re.compile(r"\bserving (\d+) us after the last frame"), "swap_latency", "us"),
)
HAMMER = re.compile(r"hammer: calls (\d+), counter grew by (\d+)")
QHAMMER = re.compile(r"qhammer: calls (\d+), qcounter grew by (\d+), gaps (\d+)")
HAMMER_MIXED = re.compile(r"mixed (\d+)")


class PushError(Exception):
    pass


def push(tool, sock, section, name):
    """Runs wisp-push with its default settings, as a developer would;
    returns its exit code and output (progress, verdict)."""
    p = subprocess.run([str(tool), str(sock), str(section), "--name", name],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def record(figures, prefix, suffix, text):
    """Adds one push's figures: PREFIX_FIELD[SUFFIX]."""
    m = SUMMARY.search(text)
    if m:
        figures.add("%s_throughput%s" % (prefix, suffix), float(m.group(1)), "KiB/s")
        figures.add("%s_retransmitted%s" % (prefix, suffix), float(m.group(2)), "frames")
    for regex, field, unit in VERDICT_FIELDS:
        m = regex.search(text)
        if m:
            figures.add("%s_%s%s" % (prefix, field, suffix), float(m.group(1)), unit)


def swap(tool, sock, sections, section, name, want):
    code, text = push(tool, sock, sections / section, name)
    if code != 0 or want not in text:
        raise PushError("push of %s: exit %d, expected %r; output:\n%s" % (
            section, code, want, "\n".join("| " + l for l in text.strip().split("\n"))))
    return text


def run_pushes(iso, figures, rounds, loaded_rounds, smp=run.DEFAULT_SMP, log_dir=None):
    """Returns (QEMU command or None, True if every push went live)."""
    build = Path(iso).resolve().parent
    tool, sections = build / "host" / "wisp-push", build / "test-update"
    missing = [str(p) for p in [tool] + [sections / s for s in SECTIONS] if not p.exists()]
    if missing:
        print("bench: no push figures: missing %s (make bench builds them)" % ", ".join(missing))
        return None, False
    with tempfile.TemporaryDirectory(prefix="wisp-bench-") as tmp:
        sock = Path(tmp) / "com2.sock"
        with run.Console(iso, name="bench-push", smp=smp, log_dir=log_dir,
                         update_socket=str(sock)) as con:
            try:
                con.wait_prompt()
                pushes(con, tool, sock, sections, figures, rounds, loaded_rounds)
            except (PushError, run.ConsoleError, subprocess.TimeoutExpired) as e:
                print("bench: push benchmark stopped: %s" % e)
                return con.command_line, False
            return con.command_line, True


def pushes(con, tool, sock, sections, figures, rounds, loaded_rounds):
    counter_rounds(tool, sock, sections, figures, rounds, "")
    swap(tool, sock, sections, "qcounter_v1.sec", "qcounter", "qcounter 1.0 loaded")
    turn = 0  # the next of QCOUNTER_TURNS: always newer than what runs, or a rollback
    for i in range(rounds):
        section = "qcounter_v2.sec" if i == 0 else QCOUNTER_TURNS[turn]
        turn = (turn + (i > 0)) % 2
        text = swap(tool, sock, sections, section, "qcounter", "quiescent swap")
        record(figures, "update.quiescent", "", text)
    if loaded_rounds:
        loaded_pushes(con, tool, sock, sections, figures, loaded_rounds)
        quiescent_loaded_pushes(con, tool, sock, sections, figures, loaded_rounds, turn)


def counter_rounds(tool, sock, sections, figures, rounds, suffix):
    for _ in range(rounds):
        for section in COUNTER_VERSIONS:
            text = swap(tool, sock, sections, section, "counter", "concurrent swap")
            record(figures, "update.push", suffix, text)


def loaded_pushes(con, tool, sock, sections, figures, rounds):
    """Pushes under hammer. A push that fails here is reported, not fatal:
    the figures measured so far stay, the hammer is stopped and checked."""
    hammer(con)
    try:
        counter_rounds(tool, sock, sections, figures, rounds, ".loaded")
    except (PushError, subprocess.TimeoutExpired) as e:
        print("bench: a push under hammer failed (figures so far kept): %s" % e)
        figures.add("update.push_failed.loaded", 1, "pushes")
    hammer(con)


def quiescent_loaded_pushes(con, tool, sock, sections, figures, rounds, turn):
    """Quiescent pushes of qcounter while qhammer calls it; then checks
    that the caller lost no increment across them."""
    out = con.command("qhammer", timeout=60)
    if "qhammer: started" not in out:
        raise PushError("qhammer: %s" % out.strip())
    try:
        for _ in range(rounds):
            text = swap(tool, sock, sections, QCOUNTER_TURNS[turn], "qcounter", "quiescent swap")
            turn = (turn + 1) % 2
            record(figures, "update.quiescent", ".loaded", text)
    finally:
        out = con.command("qhammer", timeout=60)
    m = QHAMMER.search(out)
    if not (m and m.group(1) == m.group(2) and m.group(3) == "0"):
        raise PushError("qhammer: %s" % out.strip())


def hammer(con):
    """Starts the hammer, or stops it and checks that it lost no increment
    and (where the kernel counts them) saw no call chain mixing versions."""
    out = con.command("hammer", timeout=60)
    if "hammer: started" in out:
        return
    m, mixed = HAMMER.search(out), HAMMER_MIXED.search(out)
    if not (m and m.group(1) == m.group(2)) or (mixed and mixed.group(1) != "0"):
        raise PushError("hammer: %s" % out.strip())
