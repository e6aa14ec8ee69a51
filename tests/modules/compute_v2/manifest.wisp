# compute_v2 — defines demo.compute 2.0 while 1.0 is in the registry: refused at load (tests/kernel/test_devices.c).
module compute_v2
version 1.0
state none

interface demo.compute 2.0
method factorial {
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

method invert {
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

method version {
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

method interrupts {
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

implements demo.compute 2.0 v2

export v2_factorial {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export v2_invert {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export v2_version {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export v2_interrupts {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

import iface_instance_add {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
