# Wrong on purpose: fast_get takes a mutex but promises never to sleep.
module sleep_never_import
version 1.0
lock sleep_never_import.table

export fast_get {
    context process
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
    acquires sleep_never_import.table
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
    holds sleep_never_import.table
}
