#!/usr/bin/env python3
"""e2e_image.py — the signed image, end to end: boot an image holding one
section of each bad kind beside the normal modules (tests/build.mk builds
it), and check that each bad one is refused with its reason, that nothing
of a refused module is left behind, and that the rest of the system boots
and works; a program section that is tampered or not an ELF executable is
refused with its reason and cannot be run. Prints one ok / not ok line per
check (run.Checks)."""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402

# section -> the refusal the kernel must log for it
REFUSALS = {
    "tampered": r"section tampered refused: .*checksum mismatch",
    "wrongkey": r"section wrongkey refused: .*bad signature",
    "unsigned": r"section unsigned refused: .*unsigned",
    "badelf": r"module badelf not loaded: .*ELF",
    "truncated": r"module truncated not loaded: .*past end of file",
    "badimport": r"module badimport not loaded: .*'no_such_function_anywhere': unresolved import",
    "badinit": r"module badinit not loaded: .*init failed \(-5\)",
    "cyclea": r"module cyclea not loaded: .*needs module cycleb: .*import cycle",
    "nomanifest": r"module nomanifest not loaded: .*no manifest \(\.wisp\.manifest section\)",
    "wrongname": r"module wrongname not loaded: .*describes module 'plain' \(clause 'module name'\)",
    "badcontract": r"module badcontract not loaded: .*import 'mutex_lock' .*clause 'context'",
    "badprog": r"image: program badprog refused: program badprog: not an ELF file",
    "tamperedprog": r"section tamperedprog refused: .*checksum mismatch",
}


def main():
    args = run.e2e_arguments(__doc__)
    iso = Path(args.iso).parent / "test-images" / "bad.iso"
    checks = run.Checks()
    if not iso.exists():
        checks.check("the bad image exists (make test-images)", False, "missing: %s" % iso)
        return checks.done()
    with run.Console(str(iso), name="e2e_image", smp=args.smp, log_dir=args.log_dir) as con:
        try:
            con.wait_prompt()
        except run.ConsoleError as e:
            checks.check("a system with bad sections still boots to the prompt", False, e)
            return checks.done()
        checks.check("a system with bad sections still boots to the prompt", True)
        boot_log = con.text
        for section, pattern in REFUSALS.items():
            checks.check("section %s is refused with its reason" % section,
                         re.search(pattern, boot_log) is not None,
                         "expected /%s/ in the boot log (%s)" % (pattern, con.log_path))
        checks.check("no refused module ran its init",
                     "plain: loaded" not in boot_log and "badcontract: loaded" not in boot_log,
                     "a refused module printed 'plain: loaded' or 'badcontract: loaded'")
        m = re.search(r"image: (\d+) sections, (\d+) verified", boot_log)
        checks.check("22 sections seen, 18 verified", m and m.groups() == ("22", "18"),
                     "line: %s" % (m.group(0) if m else "none"))

        out = con.command("lsmod")
        live = set(re.findall(r"(?m)^\s+(\w+)\s+\d+\.\d+\s+live\b", out))
        checks.check("console, clock and counter are live",
                     {"console", "clock", "counter"} <= live, "lsmod:", out)
        checks.check("no bad module is listed as loaded, nor cycleb",
                     not live & (set(REFUSALS) | {"cycleb"}), "lsmod:", out)
        for section in ("tampered", "wrongkey", "unsigned"):
            checks.check("lsmod shows why %s was refused" % section,
                         re.search(r"(?m)^\s+%s\s+refused at boot:" % section, out) is not None,
                         "lsmod:", out)
        for program in ("badprog", "tamperedprog"):
            out = con.command("run %s" % program)
            checks.check("refused program %s cannot be run" % program,
                         "run: %s: no such program" % program in out, out)
        out = con.command("syms")
        checks.check("a module whose init failed left no symbol behind",
                     "bad_init_export" not in out and "counter_add" in out, "syms:", out)
        checks.check("the modules of a refused import cycle left no symbol behind",
                     "cycle_a_fn" not in out and "cycle_b_fn" not in out, "syms:", out)
        con.send("reboot\r")
        con.wait_exit(60)
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
