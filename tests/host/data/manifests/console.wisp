# console — the serial console driver (example manifest).
module console
version 1.0
state none

lock console.output
lock console.input

export console_write {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
    acquires console.output
}

export console_read {
    context process
    sleeps may
    reentrant no
    user-callable no
    update quiescent
    acquires console.input
}
