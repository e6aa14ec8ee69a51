#!/usr/bin/env python3
"""e2e_uefi.py — the same boot image under UEFI firmware (OVMF): GRUB's EFI
loader starts the kernel through multiboot2 and the kernel brings up every
CPU and its timer, as it does under BIOS. Prints one ok / not ok line per
check (the protocol of run.Checks)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def main():
    args = run.e2e_arguments(__doc__)
    checks = run.Checks()
    if not Path(run.OVMF).exists():
        checks.check("UEFI firmware is installed (%s)" % run.OVMF, False,
                     "install Debian's ovmf package (make deps does)")
        return checks.done()
    b = run.boot(args.iso, "test=smp_all_cpus_online,timer_ticks_on_every_cpu", "e2e_uefi",
                 smp=args.smp, timeout=run.TEST_TIMEOUT, log_dir=args.log_dir, uefi=True)
    checks.check("the image boots under UEFI and its tests pass (%.1f s)" % b.seconds,
                 b.outcome == "pass", b.reason, "log: %s" % b.log_path,
                 *run.tail(b.lines, 20))
    ktap = run.parse_ktap(b.lines)
    names = {r.name for r in ktap.results if r.ok}
    checks.check("all CPUs come online under UEFI", "smp_all_cpus_online" in names,
                 "passed: %s" % sorted(names))
    checks.check("the timer ticks on every CPU under UEFI", "timer_ticks_on_every_cpu" in names,
                 "passed: %s" % sorted(names))
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
