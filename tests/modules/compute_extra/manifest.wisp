# compute_extra — a third implementation of demo.compute (class extra, instance extra0), loaded and unloaded by the in-kernel tests: watchers see extra0 appear and go (tests/kernel/test_devices.c).
module compute_extra
version 1.0
state none

implements demo.compute 1.0 extra

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
