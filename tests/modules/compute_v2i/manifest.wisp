# compute_v2i — implements demo.compute 2.0 while the registry has 1.0: refused at load (tests/kernel/test_devices.c).
module compute_v2i
version 1.0
state none

implements demo.compute 2.0 v2i

export v2i_factorial {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export v2i_invert {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export v2i_version {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export v2i_interrupts {
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
