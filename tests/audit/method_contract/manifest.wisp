# method_contract — implements demo.compute with an export that is not reentrant where the method is.
module method_contract
version 1.0
state none

implements demo.compute 1.0 weak

export weak_factorial {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export weak_invert {
    context any
    sleeps never
    reentrant no
    user-callable no
    update concurrent
}

export weak_version {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export weak_interrupts {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}
