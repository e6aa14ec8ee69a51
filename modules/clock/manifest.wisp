# clock — uptime and periodic timers run by one timer thread.
module clock
version 1.0
state none

lock clock.timers               # protects the timer table; held while a
                                # timer's callback runs (in the timer thread)

export clock_uptime_ms {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export timer_start {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    acquires clock.timers
}

export timer_stop {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    acquires clock.timers
}

import clock_ns {               # clock_uptime_ms: any context
    context any
    sleeps never
    reentrant yes
    user-callable no
    update quiescent
}

import mutex_lock {             # clock.timers
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import mutex_unlock {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds clock.timers
}

import sched_sleep_ns {         # the timer thread, between rounds
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import thread_create {          # init
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import thread_join {            # exit
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
