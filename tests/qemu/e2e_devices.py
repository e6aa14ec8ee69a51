#!/usr/bin/env python3
"""e2e_devices.py — devices, resources and interfaces from the shell: boot
with the test devices of run.TEST_DEVICES (two edu devices, two virtio
disks, a virtio NIC on a restricted user network) and COM2 as a socket
(the update line, which the core claims), run `devices` and
check that it lists each function with its class and BARs, the edu
functions claimed by module edu (instances edu0 and edu1) with an MSI
vector each, and the claims of COM1 (console) and COM2 (core); run
`interfaces` and check both implementations of demo.compute and their
instances; call methods of both through the gate (`interfaces call`),
and see bad calls refused. Then boot again with `pci=legacy` (the
configuration ports instead of ECAM) and check that `devices` lists the
same functions. Prints one ok / not ok line per check."""
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def main():
    args = run.e2e_arguments(__doc__)
    checks = run.Checks()
    tmp = Path(tempfile.mkdtemp(prefix="wisp-e2e_devices-"))
    with run.Console(args.iso, name="e2e_devices", smp=args.smp, log_dir=args.log_dir,
                     shell=True, update_socket=str(tmp / "com2.sock")) as con:
        try:
            con.wait_prompt()
            ecam = check_devices(con, checks)
            check_interfaces(con, checks)
            check_calls(con, checks)
        except run.ConsoleError as e:
            checks.check("shell answers every command", False, e)
            ecam = None
        log = con.text
    shutil.rmtree(tmp, ignore_errors=True)
    with run.Console(args.iso, name="e2e_devices_legacy", smp=args.smp, log_dir=args.log_dir,
                     shell=True, cmdline="pci=legacy") as con:
        try:
            con.wait_prompt()
            check_legacy(con, checks, ecam)
        except run.ConsoleError as e:
            checks.check("shell answers every command (pci=legacy)", False, e)
        log += con.text
    bad_lines = [l for l in log.split("\n") if re.search(r"panic|PANIC|lockdep|BUG", l)]
    checks.check("no panic or lock validator report", not bad_lines, *bad_lines)
    return checks.done()


def functions(out):
    """The function lines of `devices`: address, ids, class, owner."""
    return re.findall(r"(?m)^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]  .*$", out)


def check_legacy(con, checks, ecam):
    checks.check("with pci=legacy the kernel enumerates through the configuration ports",
                 "pci: legacy configuration ports (pci=legacy)" in con.text and
                 re.search(r"pci: \d+ functions through legacy", con.text) is not None,
                 "boot log:", con.text[-3000:])
    out = con.command("devices").replace("\r", "")
    checks.check("devices lists the same functions, owners and vectors through the legacy "
                 "ports as through ECAM", ecam is not None and functions(out) == ecam,
                 "ECAM:", ecam, "legacy:", functions(out))


def check_devices(con, checks):
    out = con.command("devices").replace("\r", "")
    edu = re.findall(r"(?m)^(00:0[0-9a-f]\.0)  1234:11e8  00\.ff unclassified +edu/(edu\d)  msi"
                     r"  vectors (\d+)$", out)
    checks.check("devices lists both edu functions, claimed by edu as edu0 and edu1, each with "
                 "its own MSI vector",
                 sorted(e[1] for e in edu) == ["edu0", "edu1"] and
                 len({e[0] for e in edu}) == 2 and len({e[2] for e in edu}) == 2, "output:", out)
    checks.check("devices shows the edu BAR 0 sized (1 MiB of registers)",
                 len(re.findall(r"(?m)^ +bar0 mem32 0x[0-9a-f]{8} size 0x100000$", out)) >= 2,
                 "output:", out)
    disks = re.findall(r"(?m)^00:0[0-9a-f]\.0  1af4:1001  01\.00 storage +-  msi-x\(\d+\)$", out)
    nics = re.findall(r"(?m)^00:0[0-9a-f]\.0  1af4:1000  02\.00 network +-  msi-x\(\d+\)$", out)
    checks.check("devices lists two virtio disks and a virtio NIC (unclaimed, with MSI-X)",
                 len(disks) == 2 and len(nics) == 1, "output:", out)
    checks.check("devices counts every function it listed",
                 re.search(r"(?m)^devices: (\d+) PCI functions$", out) is not None and
                 int(re.search(r"(?m)^devices: (\d+) PCI functions$", out).group(1)) ==
                 len(re.findall(r"(?m)^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]  ", out)), "output:", out)
    checks.check("the resources show COM1 claimed by console and COM2 by the core",
                 re.search(r"(?m)^ports +0x3f8-0x3ff  console com1$", out) is not None and
                 re.search(r"(?m)^irq +4  console com1$", out) is not None and
                 re.search(r"(?m)^ports +0x2f8-0x2ff  core com2$", out) is not None,
                 "output:", out)
    checks.check("the resources show each edu instance's function, registers and vector",
                 all(re.search(r"(?m)^%s +.*  edu %s$" % (k, i), out)
                     for k in ("pci", "mmio", "vector") for i in ("edu0", "edu1")),
                 "output:", out)
    return functions(out)


def check_interfaces(con, checks):
    out = con.command("interfaces").replace("\r", "")
    checks.check("interfaces lists demo.compute 1.0 with its 4 methods",
                 re.search(r"(?m)^demo\.compute +1\.0 +\w+ +4 methods$", out) is not None,
                 "output:", out)
    checks.check("interfaces lists both implementations: class edu (module edu) and class "
                 "soft (module softcompute)",
                 re.search(r"(?m)^  class edu +1\.0 +edu$", out) is not None and
                 re.search(r"(?m)^  class soft +1\.0 +softcompute$", out) is not None,
                 "output:", out)
    checks.check("interfaces lists the instances edu0, edu1 and soft0, none held",
                 all(re.search(r"(?m)^    instance %s +%s +0 held$" % (i, m), out)
                     for i, m in (("edu0", "edu"), ("edu1", "edu"), ("soft0", "softcompute"))),
                 "output:", out)


def check_calls(con, checks):
    results = {}
    for name in ("edu0", "edu1", "soft0", "soft"):
        results[name] = con.command("interfaces call demo.compute %s 0 10" % name).replace(
            "\r", "")
    checks.check("factorial(10) through the gate gives 3628800 from edu0, edu1 (the device) "
                 "and soft0 (software), and by class name",
                 all(re.search(r"(?m)^3628800$", o) for o in results.values()),
                 "outputs:", results)
    out = con.command("interfaces call demo.compute edu0 1 4042322160").replace("\r", "")
    checks.check("invert through the device's liveness register",
                 re.search(r"(?m)^252645135$", out) is not None, "output:", out)
    out = con.command("interfaces call demo.compute edu0 9").replace("\r", "")
    checks.check("a method number out of range is refused",
                 "interfaces: no method 9" in out, "output:", out)
    out = con.command("interfaces call demo.compute nosuch 0 1").replace("\r", "")
    checks.check("an instance that does not exist is refused",
                 "interfaces: no instance or class nosuch of demo.compute" in out, "output:", out)
    out = con.command("interfaces call demo.nothing edu0 0 1").replace("\r", "")
    checks.check("an interface that the instance does not implement is refused",
                 "interfaces: no instance or class edu0 of demo.nothing" in out, "output:", out)
    out = con.command("interfaces").replace("\r", "")
    checks.check("after the calls no instance is held",
                 len(re.findall(r"(?m)^    instance \S+ +\S+ +0 held$", out)) == 3,
                 "output:", out)


if __name__ == "__main__":
    sys.exit(main())
