# bad_contract — claims to call mutex_lock from interrupt context.
module badcontract
version 1.0

lock badcontract.lock

import mutex_lock {
    context interrupt
    sleeps never
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
    holds badcontract.lock
}

import klog {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
