# claimer — test module of the resource registry (tests/kernel/test_devices.c).
module claimer
version 1.0
state none

claims ports 0x3f8-0x3ff        # COM1: declared, but the console has it
claims ports 0x510-0x517        # its init claims these
claims ports 0x520-0x527        # claimer_bad_init's init claims these, then fails
claims irq 9
claims ports 0xcf8-0xcff        # the PCI configuration ports: the core's

export claimer_claim {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

export claimer_release {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

export claimer_dma {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

export claimer_dma_free {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

export claimer_interrupt {
    context interrupt
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export claimer_vector {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

export claimer_vector_free {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}

import dma_alloc {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import dma_free {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import msi_vector_alloc {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import msi_vector_free {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import resource_claim {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import resource_release {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
