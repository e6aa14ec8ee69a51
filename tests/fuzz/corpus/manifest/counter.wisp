# counter — the demo module swapped live (example manifest).
module counter
version 1.2
state 2                         # layout of struct counter_state
transfer-from 1 2               # counter_transfer() reads layouts 1 and 2

lock counter.total              # protects the running total
order counter.total < console.output

export counter_add {
    context any                 # kernel threads and the timer interrupt
    sleeps never
    reentrant yes
    user-callable yes           # ghost symbol for user programs
    update concurrent
    acquires counter.total
}

export counter_read {
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update concurrent
}

import console_write {
    context process             # I call it from process context
    sleeps may                  # and can bear a sleep
    reentrant yes               # from several threads at once
    user-callable no
    update quiescent            # my calls may be held during its swap
    holds counter.total         # I hold counter.total when calling
}
