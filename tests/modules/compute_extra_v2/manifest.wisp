# compute_extra 2.0 (tests/modules/compute_extra_v2): the same exports, no
# class; an update to it is refused (tests/kernel/test_devices.c).
module compute_extra
version 2.0
state none

export extra_factorial {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export extra_invert {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export extra_version {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export extra_interrupts {
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
