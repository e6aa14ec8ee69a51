# Wrong on purpose: irq_tick runs in interrupt context, but settle() sleeps.
module irq_internal_sleep
version 1.0

export irq_tick {
    context interrupt
    sleeps never
    reentrant no
    user-callable no
    update concurrent
}

import sched_sleep_ns {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
