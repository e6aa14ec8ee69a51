# qcounter v3 — the code of v2 under a newer version (a second quiescent swap).
module qcounter
version 3.0
state 2
transfer-from 1 2

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
