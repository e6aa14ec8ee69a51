# clock — the timer service (example manifest).
module clock
version 2.1
state 1
transfer-from 1

lock clock.ticks

export clock_ticks {
    context any
    sleeps never
    reentrant yes
    user-callable yes
    update concurrent
}

export clock_tick {             # called by the timer interrupt handler
    context interrupt
    sleeps never
    reentrant no
    user-callable no
    update quiescent
    acquires clock.ticks
}

import counter_add {
    context interrupt           # from the timer interrupt
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
    holds clock.ticks
}
