# Wrong on purpose: stats_hit takes undeclared_acquire.stats (through
# count_hit) but does not say `acquires undeclared_acquire.stats`.
module undeclared_acquire
version 1.0
lock undeclared_acquire.stats

export stats_hit {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

import mutex_lock {
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
    holds undeclared_acquire.stats
}
