# softcompute — a software implementation of demo.compute (class soft,
# one instance soft0): the second implementation of the interface, live
# beside the edu driver's.
module softcompute
version 1.0
state none

interface demo.compute 1.0       # the demo interface: edu (hardware) and soft (software) implement it
method factorial {  # n! (0 when it does not fit 32 bits)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

method invert {  # ~x (32 bits)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

method version {  # which version of the implementing module answers
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

method interrupts {  # completion interrupts taken (0: none)
    context process
    sleeps may
    reentrant yes
    user-callable yes
    update quiescent
}

implements demo.compute 1.0 soft

export soft_factorial {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export soft_invert {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export soft_version {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export soft_interrupts {
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

import klog {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
