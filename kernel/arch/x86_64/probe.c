/* probe.c — the C side of the fault probes (wisp/probe.h): the fixup lookup
 * the exception path calls, and probe_exec's per-CPU "in flight" record.
 *
 * exec_in_flight[cpu] is written only by that CPU with preemption disabled,
 * and read by the fault handler on the same CPU: no lock is needed.
 */
#include <wisp/probe.h>
#include <wisp/trap.h>
#include <wisp/percpu.h>

struct probe_fixup_entry {
    uint64_t fault_rip, resume_rip;
};

struct probe_exec_state {
    const void *target; /* NULL when no probe_exec runs on this CPU */
    uint64_t saved_rsp;
};

extern const struct probe_fixup_entry probe_fixups[];
extern const uint64_t probe_fixup_count;
extern const char probe_exec_resume[];
int probe_exec_call(const void *target, uint64_t *saved_rsp);

static struct probe_exec_state exec_in_flight[MAX_CPUS];

int probe_exec(const void *addr)
{
    preempt_disable();
    struct probe_exec_state *s = &exec_in_flight[cpu_id()];
    WRITE_ONCE(s->target, addr);
    barrier();
    int result = probe_exec_call(addr, &s->saved_rsp);
    barrier();
    WRITE_ONCE(s->target, NULL);
    preempt_enable();
    return result;
}

bool probe_fixup(struct trap_frame *f)
{
    if ((f->vector != VEC_PAGE_FAULT && f->vector != VEC_GPF) || (f->cs & 3))
        return false;
    int result =
        -(PROBE_FAULT | (f->vector == VEC_PAGE_FAULT ? (int)(f->error & 0xffff) : PROBE_GP));
    for (uint64_t i = 0; i < probe_fixup_count; i++) {
        const struct probe_fixup_entry *x = &probe_fixups[i];
        if (x->fault_rip == f->rip) {
            f->rip = x->resume_rip;
            f->rax = (uint64_t)(int64_t)result;
            return true;
        }
    }
    const struct probe_exec_state *s = &exec_in_flight[cpu_id()];
    if (s->target && f->rip == (uint64_t)s->target) {
        f->rip = (uint64_t)probe_exec_resume;
        f->rsp = s->saved_rsp;
        f->rax = (uint64_t)(int64_t)result;
        return true;
    }
    return false;
}
