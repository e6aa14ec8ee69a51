#!/usr/bin/env python3
"""test_audit.py — wisp-audit on the real image and on the catalog of
modules that are wrong on purpose (tests/audit/, built by make test-images).

The real image must audit clean; each catalog module, audited with the real
modules and the core manifest, must give its finding (kind and text) and a
non-zero exit status. Prints one ok / not ok line per check (run by
tests/run-all.py; exit 1 when any failed).

    tests/host/test_audit.py [--build build] [-v]
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "qemu"))
import run  # noqa: E402  (run.Checks: the ok / not ok protocol)

ROOT = Path(__file__).resolve().parents[2]
REAL = ["console", "clock", "counter", "kvstore", "edu", "softcompute"]

# catalog module(s) -> (test name, kind, regular expression of the message)
CASES = [
    (["sleep_never_import"], "a_sleeps_never_export_reaching_a_may_sleep_import_is_found",
     "sleep path", r"export 'fast_get' \(context process, sleeps never\) reaches 'mutex_lock', "
     r"declared sleeps may by 'core': fast_get -> mutex_lock"),
    (["irq_internal_sleep"], "an_interrupt_export_sleeping_through_an_internal_call_is_found",
     "sleep path", r"export 'irq_tick' \(context interrupt, sleeps never\) reaches "
     r"'sched_sleep_ns'.*: irq_tick -> settle -> sched_sleep_ns"),
    (["undeclared_lock"], "a_lock_class_the_manifest_does_not_declare_is_found",
     "lock class", r"the lock in \.data\.cache_lock has class 'undeclared_lock\.cache', which "
     r"the manifest does not declare"),
    (["undeclared_acquire"], "an_export_taking_a_class_its_acquires_omits_is_found",
     "acquires", r"export 'stats_hit' .* takes lock class 'undeclared_acquire\.stats', which "
     r"its `acquires` does not list: stats_hit -> count_hit"),
    (["undeclared_import"], "an_import_the_manifest_does_not_declare_is_found",
     "undeclared import", r"the code calls 'kzalloc', which the manifest does not import"),
    (["import_contract"], "an_import_whose_contract_the_export_does_not_satisfy_is_found",
     "contract", r"import 'timer_start' \(exported by 'clock'\): clause 'context'"),
    (["order_a", "order_b"], "a_lock_order_cycle_between_two_modules_is_found",
     "contract", r"lock order cycle: order_a\.state < order_b\.state \(module 'order_a', "
     r"line 5\) < order_a\.state \(module 'order_b', line 5\)"),
    (["exports_mismatch"], "manifest_exports_that_differ_from_the_code_are_found",
     "exports", r"exports 'real_export' \(WISP_EXPORT\) but its manifest declares no contract"),
    (["exports_mismatch"], "a_declared_export_the_code_does_not_have_is_found",
     "exports", r"declares export 'old_export' \(line 5\) that the code does not export"),
    (["user_not_reentrant"], "a_user_callable_export_that_is_not_reentrant_is_found",
     "user-callable", r"export 'remember' \(line 5\) is user-callable but not reentrant"),
    (["claims_twice"], "two_modules_declaring_the_same_ports_are_found",
     "claims", r"modules 'console' \(ports 0x3f8-0x3ff, line \d+\) and 'claims_twice' \(ports "
     r"0x3f8-0x3ff, line 6\) declare the same resource"),
    (["interface_version"], "a_class_of_another_interface_version_is_found",
     "interface", r"module 'interface_version': class 'v2' implements 'demo.compute' 2\.0, module "
     r"'edu' defines 1\.0 \(interface version mismatch\)"),
    (["method_contract"], "an_export_not_keeping_its_method_contract_is_found",
     "interface", r"module 'method_contract': export 'weak_invert' does not keep the contract of "
     r"method 'invert' of interface 'demo.compute' \(clause 'reentrant'\)"),
    (["bad_manifest"], "a_manifest_that_does_not_parse_is_found_with_its_line",
     "manifest", r"bad_manifest/manifest\.wisp:7:12: export 'answer': expected 'may' or "
     r"'never' after 'sleeps', found 'maybe'"),
]


class Audit(run.Checks):
    def __init__(self, build, verbose):
        self.build = Path(build)
        self.tool = str(self.build / "host" / "wisp-audit")
        super().__init__(verbose=verbose, detail_lines=25, label='audit')

    def run(self, *args, core=True):
        p = subprocess.run([self.tool] + (["--core", str(ROOT / "kernel" / "core.wisp")]
                                          if core else []) +
                           [str(a) for a in args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        return p.returncode, p.stdout.decode() + p.stderr.decode()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=str(ROOT / "build"))
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    t = Audit(args.build, args.verbose)
    print("1..%d" % (len(CASES) + 5), flush=True)

    code, out = t.run(t.build / "wisp.img")
    t.check("the_real_image_audits_clean", code == 0 and "6 modules and the core, 0 findings"
            in out, "exit %d" % code, out)
    code, out_plain = t.run(t.build / "wisp.img", core=False)
    t.check("the_plain_command_on_the_image_uses_the_core_manifest_it_carries_and_is_clean",
            code == 0 and "6 modules and the core, 0 findings" in out_plain,
            "exit %d" % code, out_plain)
    t.check("the_audit_prints_each_contract_as_a_table",
            re.search(r"(?m)^  export kv_put +process +may +yes +no +quiescent +acquires "
                      r"kvstore\.entries$", out) is not None, out)

    real = [t.build / "modules" / ("%s.mod" % m) for m in REAL]
    for modules, name, kind, pattern in CASES:
        objects = [t.build / "audit" / ("%s.mod" % m) for m in modules]
        code, out = t.run(*(real + objects))
        line = re.search(r"(?m)^wisp-audit: %s: .*%s" % (re.escape(kind), pattern), out)
        t.check(name, code == 1 and line is not None, "exit %d, expected /%s: %s/" %
                (code, kind, pattern), out)

    code, out = t.run("other=%s" % (t.build / "audit" / "user_not_reentrant.mod"))
    t.check("a_manifest_naming_another_module_is_found", code == 1 and
            "module name: module 'other': its manifest describes module 'user_not_reentrant'"
            in out, "exit %d" % code, out)
    code, out = t.run(t.build / "modules" / "counter.mod")
    t.check("a_module_audited_alone_with_the_core_manifest_is_clean",
            code == 0 and "1 modules and the core, 0 findings" in out, "exit %d" % code, out)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
