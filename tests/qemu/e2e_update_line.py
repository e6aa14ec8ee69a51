#!/usr/bin/env python3
"""e2e_update_line.py — the live-update line end to end: boot with COM2 as a
unix socket, push section files with wisp-push and check the kernel's
verdicts, its `updline` counters and that the running modules are left as
they were by every refused push.

Pushes: a module not loaded at boot, first older than the image's version
of it (refused: version not newer), then at that version (loaded, live);
then, while `hammer` threads on every CPU call counter, counter v2, v3 and
v1 signed as a rollback, SWAPS times (each live); versions whose init fails, whose state transfer fails, whose
manifest weakens a contract or whose import is unsatisfied, still under the
hammer (each refused naming its step, counter 1.0 still live); versions
signed by another key, or not the announced name, or whose manifest says
another version (refused); forward only: the running version pushed again
(a replay) and an older one (a downgrade) are refused with the versions
named, the older one signed as a rollback goes live; a push over a
line that corrupts bytes (rejected frames counted, retransmitted, goes
live); a push cut off half way (nothing
changes, the next push starts cleanly); a state layout change of counter
(refused: quiescence, but its exports are callable from interrupts); a
quiescent swap of qcounter with a layout change (blackout reported). The
hammer's tallies: no increment lost (calls == growth of the count), every
version served, no call chain saw two versions; then the module area's
pages are exactly what they were before the swaps and the heap is back
within a slack (every old version freed); no panic or lock validator
report in the log. The section files come from tests/build.mk
(BUILD/test-update). Prints one ok / not ok line per check."""
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

EXIT_LIVE, EXIT_REFUSED, EXIT_ABORTED = 0, 1, 5


class Proxy:
    """Forwards a unix socket to QEMU's COM2 socket. corrupt: the chance of
    flipping one bit of each host→kernel byte; cut_after: close both ends
    after that many host→kernel bytes."""

    def __init__(self, target, path, corrupt=0.0, cut_after=None, seed=7):
        self.target, self.path = target, path
        self.corrupt, self.cut_after = corrupt, cut_after
        self.rng = random.Random(seed)
        self.corrupted = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        client, _ = self.listener.accept()
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(self.target)
        done = threading.Event()

        def down():     # kernel → host, untouched
            try:
                while not done.is_set():
                    data = upstream.recv(4096)
                    if not data:
                        break
                    client.sendall(data)
            except OSError:
                pass
            done.set()

        threading.Thread(target=down, daemon=True).start()
        sent = 0
        try:
            while not done.is_set():
                data = bytearray(client.recv(4096))
                if not data:
                    break
                for i in range(len(data)):
                    if self.rng.random() < self.corrupt:
                        data[i] ^= 1 << self.rng.randrange(8)
                        self.corrupted += 1
                if self.cut_after is not None and sent + len(data) >= self.cut_after:
                    upstream.sendall(bytes(data[:self.cut_after - sent]))
                    break
                upstream.sendall(bytes(data))
                sent += len(data)
        except OSError:
            pass
        done.set()
        for s in (client, upstream, self.listener):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def push(build, sock, section, *args):
    p = subprocess.run([str(build / "host" / "wisp-push"), str(sock), str(section)] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def updline(con):
    out = con.command("updline")
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"rejected (\S+)\s+(\d+)", out)}
    live = re.search(r"pushes (\d+), live (\d+)", out)
    return out, counts, (int(live.group(1)), int(live.group(2))) if live else (None, None)


def lsmod_version(con, name):
    out = con.command("lsmod")
    m = re.search(r"(?m)^\s*%s\s+(\d+\.\d+)\s+(\S+)" % re.escape(name), out)
    return (m.group(1), m.group(2)) if m else (None, None), out


def memory(con):
    """(module area pages, heap bytes in use, lsmod text) — the baseline the
    swaps must return to (same modules, same versions, every old one freed)."""
    ls = con.command("lsmod")
    area = re.search(r"module area: (\d+) pages in use", ls)
    heap = re.search(r"heap: (\d+) bytes in use", con.command("mem"))
    return (int(area.group(1)) if area else None, int(heap.group(1)) if heap else None, ls)


def main():
    return run.e2e_with_update_line(
        __doc__, "e2e_update_line",
        lambda con, checks, build, sock, tmp:
            run_pushes(con, checks, build, build / "test-update", sock, tmp))


# (section file, expected exit, text the verdict must contain)
REFUSALS = (
    ("counter_bad_init.sec", "init: module counter: init failed (-3)"),
    ("counter_bad_adopt.sec", "transfer: wisp_state_adopt of counter 5.0 returned -5"),
    ("counter_weaker.sec", "contract: "),
    ("counter_bad_import.sec", "load: "),
)
SWAPS = 2       # rounds of v2, v3, v1 (rollback) under the hammer
HEAP_SLACK = 8192   # heap bytes that may differ (slab caches' own bookkeeping)


def push_counter(build, sock, sections, name, *args):
    return push(build, sock, sections / name, "--name", "counter", *args)


def check_counter_push(con, checks, build, sock, sections, name, title, exit_code, verdict,
                       version_after):
    """Pushes section name as counter; the check holds when wisp-push exits
    with exit_code, the verdict contains verdict and lsmod then shows
    counter at version_after."""
    code, text = push_counter(build, sock, sections, name)
    (version, _), ls = lsmod_version(con, "counter")
    checks.check(title, code == exit_code and verdict in text and version == version_after,
                 "exit %d, lsmod %s" % (code, version), text, ls)


def run_pushes(con, checks, build, sections, sock, tmp):
    out, _, _ = updline(con)
    checks.check("updline reports the line listening on COM2", "COM2, idle" in out, out)

    code, text = push(build, sock, sections / "kvstore_old.sec", "--name", "kvstore")
    (version, _), ls = lsmod_version(con, "kvstore")
    checks.check("push_of_a_module_older_than_the_image_version_is_refused",
                 code == EXIT_REFUSED and "refused (version not newer): kvstore 0.9 is older "
                 "than 1.0, the kernel's minimum for it" in text and version is None,
                 "exit %d" % code, text, ls)

    code, text = push(build, sock, sections / "kvstore.sec")
    (version, state), ls = lsmod_version(con, "kvstore")
    checks.check("push_of_a_module_not_loaded_loads_it_live",
                 code == EXIT_LIVE and "kvstore 1.0 loaded" in text and version == "1.0"
                 and state == "live", "exit %d" % code, text, ls)

    area_before, heap_before, _ = memory(con)
    out = con.command("hammer")
    checks.check("hammer starts on every CPU", "hammer: started on" in out, out)
    swaps_ok, details = True, []
    for round_ in range(SWAPS):
        for name, want in (("counter_v2.sec", "2.0"), ("counter_v3.sec", "3.0"),
                           ("counter_v1_rollback.sec", "1.0")):
            code, text = push_counter(build, sock, sections, name)
            (version, state), ls = lsmod_version(con, "counter")
            ok = code == EXIT_LIVE and "concurrent swap" in text and version == want
            swaps_ok &= ok
            details.append("round %d %s: exit %d, lsmod %s; %s" % (
                round_, name, code, version, text.strip().splitlines()[-1]))
    checks.check("counter_swaps_v2_v3_v1_rollback_%d_times_under_load_each_live" % SWAPS, swaps_ok,
                 *details)

    for name, reason in REFUSALS:   # still under the hammer
        code, text = push_counter(build, sock, sections, name)
        (version, state), ls = lsmod_version(con, "counter")
        checks.check("push_%s_under_load_is_refused_naming_the_step_and_counter_1.0_still_serves" %
                     name[:-4], code == EXIT_REFUSED and reason in text and version == "1.0"
                     and state == "live", "exit %d, lsmod %s" % (code, version), text)

    out = con.command("hammer", timeout=60)
    m = re.search(r"hammer: calls (\d+), counter grew by (\d+), versions((?: \d+:\d+)*), "
                  r"chains (\d+), mixed (\d+)", out)
    versions = dict(v.split(":") for v in m.group(3).split()) if m else {}
    checks.check("no_increment_lost_across_swaps_under_load (calls == growth)",
                 m is not None and int(m.group(1)) > 0 and m.group(1) == m.group(2), out)
    checks.check("every_version_served_the_hammer",
                 all(v in versions for v in ("1", "2", "3")), out)
    checks.check("no_call_chain_mixed_versions (each version tags its results)",
                 m is not None and int(m.group(4)) > 0 and m.group(5) == "0", out)

    area_after, heap_after, ls = memory(con)
    checks.check("memory_back_to_its_baseline_after_the_swaps (module area exact, heap within "
                 "%d bytes)" % HEAP_SLACK,
                 area_after == area_before and area_before is not None
                 and abs(heap_after - heap_before) <= HEAP_SLACK and "retiring" not in ls,
                 "module area pages %s -> %s, heap bytes %s -> %s" % (
                     area_before, area_after, heap_before, heap_after), ls)

    code, text = push_counter(build, sock, sections, "counter-other-key.sec")
    (version, state), ls = lsmod_version(con, "counter")
    checks.check("push_signed_by_another_key_is_refused_naming_the_signature",
                 code == EXIT_REFUSED and "signature" in text and version == "1.0",
                 "exit %d" % code, text, ls)

    code, text = push(build, sock, sections / "counter_v2.sec", "--name", "kvstore")
    checks.check("push_whose_section_is_not_the_announced_name_is_refused",
                 code == EXIT_REFUSED and "announced 'kvstore' but the section is 'counter'" in text,
                 "exit %d" % code, text)

    check_counter_push(con, checks, build, sock, sections, "counter_mismatch.sec",
                       "push_whose_manifest_says_another_version_is_refused", EXIT_REFUSED,
                       "refused (version mismatch): counter: the section says version 9.0, its "
                       "manifest says 1.0", "1.0")

    proxy = Proxy(str(sock), str(tmp / "lossy.sock"), corrupt=0.0003)
    code, text = push_counter(build, tmp / "lossy.sock", sections, "counter_v2.sec",
                              "--retransmit", "200")
    out, rejected, _ = updline(con)
    (version, _), _ = lsmod_version(con, "counter")
    bad = sum(rejected.get(k, 0) for k in ("bad-crc", "frame-long", "frame-short", "bad-escape",
                                           "bad-length", "bad-version", "bad-type"))
    checks.check("push_over_a_corrupting_line_recovers_by_retransmission_and_goes_live",
                 proxy.corrupted > 0 and bad > 0 and code == EXIT_LIVE and version == "2.0",
                 "exit %d, %d bytes corrupted, %d frames rejected" % (code, proxy.corrupted, bad),
                 text, out)

    _, _, (pushes_before, _) = updline(con)
    (version_before, _), _ = lsmod_version(con, "counter")
    Proxy(str(sock), str(tmp / "cut.sock"), cut_after=3000)
    code, text = push_counter(build, tmp / "cut.sock", sections, "counter_v3.sec",
                              "--timeout", "10")
    (version, state), ls = lsmod_version(con, "counter")
    out, _, (pushes_after, _) = updline(con)
    checks.check("push_cut_off_half_way_changes_nothing",
                 code != EXIT_LIVE and pushes_after == pushes_before and version == version_before,
                 "exit %d, pushes %s -> %s, lsmod %s" % (code, pushes_before, pushes_after,
                                                         version), text, out)

    code, text = push_counter(build, sock, sections, "counter_v3.sec")
    checks.check("push_after_a_cut_off_starts_cleanly_and_goes_live",
                 code == EXIT_LIVE and "counter 3.0 (was %s)" % version_before in text,
                 "exit %d" % code, text)

    # Forward only: a replay of the running version and a downgrade are
    # refused naming both versions; the downgrade signed as a rollback goes.
    check_counter_push(con, checks, build, sock, sections, "counter_v3.sec",
                       "push_of_the_running_version_again_is_refused_as_a_replay", EXIT_REFUSED,
                       "refused (version not newer): counter 3.0 is not newer than the running "
                       "3.0", "3.0")
    check_counter_push(con, checks, build, sock, sections, "counter_v1.sec",
                       "push_of_an_older_signed_version_is_refused_as_a_downgrade", EXIT_REFUSED,
                       "refused (version not newer): counter 1.0 is not newer than the running "
                       "3.0", "3.0")
    check_counter_push(con, checks, build, sock, sections, "counter_v1_rollback.sec",
                       "push_of_an_older_version_signed_as_a_rollback_goes_live", EXIT_LIVE,
                       "counter 1.0 (was 3.0) (signed rollback)", "1.0")

    code, text = push_counter(build, sock, sections, "counter_layout2.sec")
    (version, _), _ = lsmod_version(con, "counter")
    checks.check("push_of_a_layout_change_of_an_interrupt_callable_module_is_refused_at_policy",
                 code == EXIT_REFUSED and "policy: counter needs a quiescent update" in text
                 and version == "1.0", "exit %d, lsmod %s" % (code, version), text)

    code, text = push(build, sock, sections / "qcounter_v1.sec", "--name", "qcounter")
    code2, text2 = push(build, sock, sections / "qcounter_v2.sec", "--name", "qcounter")
    (version, _), ls = lsmod_version(con, "qcounter")
    blackout = re.search(r"blackout (\d+) us", text2)
    checks.check("quiescent_swap_with_a_state_layout_change_reports_its_blackout",
                 code == EXIT_LIVE and code2 == EXIT_LIVE and "quiescent swap" in text2
                 and blackout is not None and version == "2.0",
                 "exits %d %d, lsmod %s" % (code, code2, version), text, text2, ls)

    started = con.command("qhammer")
    time.sleep(0.5)
    code, text = push(build, sock, sections / "qcounter_v3.sec", "--name", "qcounter")
    time.sleep(0.5)
    out = con.command("qhammer")
    m = re.search(r"qhammer: calls (\d+), qcounter grew by (\d+), gaps (\d+)", out)
    checks.check("quiescent_swap_holds_and_releases_a_running_caller_losing_nothing",
                 "qhammer: started" in started and code == EXIT_LIVE
                 and "quiescent swap" in text and m is not None
                 and m.group(1) == m.group(2) and m.group(3) == "0"
                 and int(m.group(1)) > 1000, "exit %d" % code, started, text, out)

    out = con.command("modhist")
    checks.check("modhist lists the pushed versions",
                 len(re.findall(r"(?m)^\s*counter\s+\d+\.\d+\s+\S+ s\s+push$", out)) >= 3 * SWAPS,
                 out)
    bad_lines = [l for l in con.text.split("\n")
                 if re.search(r"panic|lockdep|BUG|still has \d+ chains", l)]
    checks.check("no panic, lock validator report or retained old version", not bad_lines,
                 *bad_lines[:20])


if __name__ == "__main__":
    sys.exit(main())
