/* torture.h — the concurrency torture framework (in the spirit of Linux's
 * rcutorture and locktorture): the runner is the core's (kernel/torture.c),
 * the tortures register themselves from tests/torture/ — the core never
 * names them.
 *
 * A torture is a function registered with TORTURE(name) that hammers one
 * mechanism from threads on every CPU for params->duration_ns and returns a
 * result. params->busted asks it to use a deliberately broken flavour of
 * the mechanism (e.g. a synchronize that does not wait); a torture that
 * works MUST report failure on the busted flavour within seconds.
 *
 * Two ways to run them:
 *   - `make test`: KTESTs call torture_run("name", short duration, busted)
 *     and expect success (or failure, for busted);
 *   - `make torture DURATION=600`: the command line "torture=NAME[,NAME]
 *     torture_duration=SECONDS [torture_busted]" runs them long, from
 *     torture_run_selected().
 * Every run ends with one summary line:
 *   "torture: NAME SUCCESS|FAILURE ops=N grace_periods=N errors=N (...)"
 */
#pragma once
#include <wisp/compiler.h>

struct torture_params {
    uint64_t duration_ns;
    bool busted;
};

struct torture_result {
    bool success;
    uint64_t ops;           /* operations done (reads, acquisitions, swaps) */
    uint64_t grace_periods; /* completed grace periods (0 where n/a) */
    uint64_t errors;        /* violations detected */
    char detail[160];       /* free text: fairness, pipe counts, ... */
};

struct torture {
    const char *name;
    void (*fn)(const struct torture_params *p, struct torture_result *r);
};

#define TORTURE(name_) \
    static void torture_fn_##name_(const struct torture_params *p, struct torture_result *r); \
    static const struct torture torture_desc_##name_ __section(".torture") \
        __used __aligned(8) = { #name_, torture_fn_##name_ }; \
    static void torture_fn_##name_(const struct torture_params *p __unused, \
                                   struct torture_result *r)

/* Runs one torture, prints its summary line, returns its result. */
struct torture_result torture_run(const char *name, uint64_t duration_ms, bool busted);
bool torture_mode(void);
/* Runs the tortures the command line selects; true when all succeeded. */
bool torture_run_selected(void);
