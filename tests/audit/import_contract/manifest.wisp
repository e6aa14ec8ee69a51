# Wrong on purpose: timer_start (clock) is process-only.
module import_contract
version 1.0

export on_irq {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

import timer_start {
    context interrupt
    sleeps never
    reentrant yes
    user-callable no
    update quiescent
}
