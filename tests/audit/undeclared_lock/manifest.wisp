# Wrong on purpose: no `lock undeclared_lock.cache` line.
module undeclared_lock
version 1.0

export cache_read {
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
}
