# counter 2.0 — a new state layout that takes over the state of 1.x.
module counter
version 2.0
state 3
transfer-from 2 3

lock counter.total
order counter.total < console.output

export counter_add {
    context any
    sleeps never
    reentrant yes
    user-callable yes
    update concurrent
    acquires counter.total
}

export counter_read {
    context any                 # strengthened: was process, may sleep
    sleeps never
    reentrant yes
    user-callable yes
    update concurrent
}

export counter_reset {          # new in 2.0
    context process
    sleeps may
    reentrant no
    user-callable no
    update concurrent
    acquires counter.total
}

import console_write {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds counter.total
}
