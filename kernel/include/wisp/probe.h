/* probe.h — memory accesses that may fault, with the fault turned into a
 * return value instead of a panic.
 *
 * Tests use them to prove that a mapping really is read-only, NX or absent;
 * the user copies (kernel/proc/usercopy.c) use the same mechanism. Each faulting
 * instruction in probe_ops.asm has an entry (fault rip -> resume rip) in a fixup
 * table that the page-fault and general-protection paths consult
 * (probe_fixup, called first by trap.c's exception()). probe_exec calls into
 * the target; an instruction-fetch fault there has rip == target, which is
 * recognised while that CPU has a probe_exec in flight.
 *
 * Each returns 0 when the access worked, or -(PROBE_FAULT | error) when it
 * faulted: error is the page-fault error code (PROBE_PF_* bits), or
 * PROBE_GP for a general-protection fault (a non-canonical address). Any
 * context; probe_exec disables preemption while it runs.
 */
#pragma once
#include <wisp/compiler.h>

#define PROBE_FAULT 0x10000
#define PROBE_GP    0x20000
enum probe_pf_bits {
    PROBE_PF_PRESENT = 1 << 0, /* the page was present: a protection fault */
    PROBE_PF_WRITE = 1 << 1,
    PROBE_PF_USER = 1 << 2,
    PROBE_PF_RESERVED = 1 << 3,
    PROBE_PF_FETCH = 1 << 4,
};

int probe_read8(const void *addr, uint8_t *out);
int probe_write8(void *addr, uint8_t value);
/* Calls addr as a function taking and returning nothing (a page holding a
 * `ret` is enough). */
int probe_exec(const void *addr);

/* The fault error bits of a probe's result (0 when it did not fault). */
static inline unsigned probe_error(int result)
{
    return result < 0 ? (unsigned)-result & 0xffff : 0;
}

struct trap_frame;
/* Resumes a faulting probe: true when the fault was one (frame updated). */
bool probe_fixup(struct trap_frame *frame);
