#!/usr/bin/env python3
"""test_push.py — wisp-push against wisp-recv-sim over a unix socket.

The update transport end to end on the host, without QEMU: clean and
corrupted lines, a line cut half way (and a push that starts over), a
silent line, a refusing verdict, an oversized module, no receiver at all.
Prints one ok / not ok line per check (run by tests/run-all.py; exit 1 when
any failed).

    tests/host/test_push.py [--build build] [-v]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "qemu"))
import run  # noqa: E402  (run.Checks: the ok / not ok protocol)

EXIT_LIVE, EXIT_REFUSED, EXIT_CONNECT, EXIT_TIMEOUT, EXIT_ABORTED = 0, 1, 3, 4, 5


class Push(run.Checks):
    def __init__(self, build, workdir, verbose):
        self.push = str(Path(build) / "host" / "wisp-push")
        self.sim = str(Path(build) / "host" / "wisp-recv-sim")
        self.dir = Path(workdir)
        super().__init__(verbose=verbose, detail_lines=25, label='push')
        self.module = self.dir / "counter.mod"
        self.module.write_bytes(os.urandom(256 * 1024))

    def start_sim(self, *args, connections=1):
        sock = str(self.dir / "update.sock")
        out = self.dir / "received.bin"
        if out.exists():
            out.unlink()
        log = open(self.dir / "sim.log", "w")
        proc = subprocess.Popen([self.sim, sock, "--out", str(out), "--connections",
                                 str(connections)] + list(args), stderr=log)
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.01)
        return proc, sock, out

    def stop_sim(self, proc):
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return (self.dir / "sim.log").read_text()

    def run_push(self, sock, *args, module=None):
        p = subprocess.run([self.push, sock, str(module or self.module)] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()


def counters(sim_log):
    """The last counters line of the simulator, as a dict."""
    lines = [l for l in sim_log.splitlines() if "counters:" in l]
    return dict(kv.split("=") for kv in lines[-1].split("counters:")[1].split()) if lines else {}


def test_clean(t):
    proc, sock, out = t.start_sim()
    code, stdout, stderr = t.run_push(sock)
    log = t.stop_sim(proc)
    same = out.exists() and out.read_bytes() == t.module.read_bytes()
    t.check("push_clean_line_delivers_module_and_prints_verdict",
            code == EXIT_LIVE and same and "live: counter" in stdout and "KiB/s" in stderr,
            "exit %d, same %s" % (code, same), stdout, stderr, log)
    m = re.search(r"\(([\d.]+) KiB/s\)", stderr)
    if m:
        print("# throughput over a clean unix socket: %s KiB/s" % m.group(1))


def test_corrupted(t):
    proc, sock, out = t.start_sim("--corrupt", "0.0002", "--drop", "0.00005",
                                  "--garbage", "0.0001", "--seed", "7")
    code, stdout, stderr = t.run_push(sock, "--retransmit", "100")
    log = t.stop_sim(proc)
    c = counters(log)
    same = out.exists() and out.read_bytes() == t.module.read_bytes()
    rejected = sum(int(c.get(k, 0)) for k in ("bad-crc", "frame-long", "frame-short",
                                               "bad-escape"))
    retransmitted = re.search(r"(\d+) frames retransmitted", stderr)
    t.check("push_over_corrupted_line_succeeds_by_retransmission",
            code == EXIT_LIVE and same and rejected > 0 and retransmitted
            and int(retransmitted.group(1)) > 0,
            "exit %d, same %s, corrupt frames rejected %d" % (code, same, rejected),
            stdout, stderr, log)


def test_cut_then_restart(t):
    proc, sock, out = t.start_sim("--cut-after", "100000", connections=2)
    code, stdout, stderr = t.run_push(sock)
    t.check("push_cut_off_half_way_fails_with_a_clear_message",
            code == EXIT_ABORTED and "transfer aborted" in stderr and "line closed" in stderr,
            "exit %d" % code, stderr)
    # The simulator cuts every connection at 100000 bytes: a smaller module
    # shows that the receiver, left mid-transfer, starts over cleanly.
    small = t.dir / "small.mod"
    small.write_bytes(os.urandom(60000))
    code, stdout, stderr = t.run_push(sock, module=small)
    log = t.stop_sim(proc)
    c = counters(log)
    same = out.exists() and out.read_bytes() == small.read_bytes()
    t.check("push_after_a_cut_off_starts_over_and_succeeds",
            code == EXIT_LIVE and same and c.get("aborted") == "1"
            and c.get("completed") == "1",
            "exit %d, same %s, counters %s" % (code, same, c), stderr, log)


def test_silent_line(t):
    proc, sock, out = t.start_sim("--mute-after", "1")
    code, stdout, stderr = t.run_push(sock, "--retransmit", "50")
    t.stop_sim(proc)
    t.check("push_to_a_silent_line_times_out",
            code == EXIT_TIMEOUT and "timeout" in stderr, "exit %d" % code, stderr)


def test_verdict_timeout(t):
    proc, sock, out = t.start_sim("--verdict-delay", "3000")
    code, stdout, stderr = t.run_push(sock, "--timeout", "1")
    t.stop_sim(proc)
    t.check("push_gives_up_at_its_timeout_while_waiting_for_the_verdict",
            code == EXIT_TIMEOUT and "timeout" in stderr, "exit %d" % code, stderr)


def test_refused(t):
    reason = "refused: signature check failed for section counter"
    proc, sock, out = t.start_sim("--refuse", reason)
    code, stdout, stderr = t.run_push(sock)
    t.stop_sim(proc)
    t.check("push_refused_by_the_kernel_exits_1_with_its_reason",
            code == EXIT_REFUSED and reason in stdout, "exit %d" % code, stdout, stderr)


def test_oversize(t):
    proc, sock, out = t.start_sim("--max-size", "10000")
    code, stdout, stderr = t.run_push(sock)
    log = t.stop_sim(proc)
    t.check("push_of_an_oversized_module_is_refused_with_the_limit",
            code == EXIT_ABORTED and "the limit is 10000 bytes" in stderr
            and counters(log).get("too-large") == "1", "exit %d" % code, stderr, log)


def test_no_receiver(t):
    code, stdout, stderr = t.run_push(str(t.dir / "nobody.sock"))
    t.check("push_without_a_receiver_cannot_connect",
            code == EXIT_CONNECT and "cannot connect" in stderr, "exit %d" % code, stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=str(Path(__file__).resolve().parents[2] / "build"))
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    tests = [test_clean, test_corrupted, test_cut_then_restart, test_silent_line,
             test_verdict_timeout, test_refused, test_oversize, test_no_receiver]
    print("1..9", flush=True)
    with tempfile.TemporaryDirectory(prefix="wisp-push-") as workdir:
        t = Push(args.build, workdir, args.verbose)
        for test in tests:
            test(t)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
