/* sched.h (host shim) — rcu/rcu.h needs only struct spinlock (the per-CPU
 * callback queue lock, unused by the read path measured here). */
#pragma once
#include <wisp/compiler.h>

struct spinlock {
    int locked;
};
