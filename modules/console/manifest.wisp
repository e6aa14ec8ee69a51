# console — the serial console driver (COM1 input). Its lock-free input ring
# has one producer (the UART interrupt) and one consumer (console_getc); the
# only lock it owns is its wait queue's, a core class (WAIT_QUEUE_INIT).
module console
version 1.1
state none

claims ports 0x3f8-0x3ff       # COM1's UART: a second COM1 driver is refused
claims irq 4                   # its IO-APIC line

export console_getc {
    context process
    sleeps may                  # waits for input
    reentrant no                # one reader at a time
    user-callable no
    update quiescent            # a reader may be asleep inside it
}

export console_cancel_read {    # the reader in console_getc returns -1 (the core ends its program)
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export console_dropped {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

import wait_queue_wait {        # console_getc
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import console_interrupt {      # the UART interrupt handler, on ^C
    context interrupt
    sleeps never
    reentrant yes
    user-callable no
    update quiescent
}

import wake_up_one {            # the UART interrupt handler, console_cancel_read
    context any
    sleeps never
    reentrant yes
    user-callable no
    update quiescent
}

import serial_getc {            # the UART interrupt handler
    context interrupt
    sleeps never
    reentrant no
    user-callable no
    update quiescent
}

import resource_claim {         # init: COM1's ports and line
    context process
    sleeps may
    reentrant no
    user-callable no
    update quiescent
}

import irq_register {           # init
    context process
    sleeps may
    reentrant no
    user-callable no
    update quiescent
}

import ioapic_route_isa {       # init
    context process
    sleeps may
    reentrant no
    user-callable no
    update quiescent
}

import serial_enable_rx_irq {   # init
    context process
    sleeps may
    reentrant no
    user-callable no
    update quiescent
}

import cpus {                   # data: the per-CPU array (init reads an APIC id)
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
