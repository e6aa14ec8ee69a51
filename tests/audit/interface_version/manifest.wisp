# interface_version — implements demo.compute 2.0; edu defines 1.0.
module interface_version
version 1.0
state none

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
