# qcounter — process-context counter, swapped quiescently by its v2.
module qcounter
version 1.0
state 1
transfer-from 1

export qcounter_add {
    context process
    sleeps never
    reentrant no
    user-callable no
    update quiescent
}

import kzalloc {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import kfree {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
