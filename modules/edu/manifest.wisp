# edu — driver of QEMU's edu teaching device (1234:11e8): one instance per
# device (edu0, edu1, ...), each with its PCI function, BAR 0 and an MSI
# vector, of class edu implementing demo.compute. Stateful (the devices
# live in one heap object) and updated live.
module edu
version 1.0
state 1                         # struct edu_state, layout 1
transfer-from 1

lock edu.device                 # one computation at a time on a device

claims pci 1234:11e8

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

implements demo.compute 1.0 edu

export edu_factorial {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
    acquires edu.device
}

export edu_invert {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
    acquires edu.device
}

export edu_version {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export edu_interrupts {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

export edu_interrupt {  # the MSI handler (msi_vector_alloc)
    context interrupt
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}

import mutex_lock {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import mutex_unlock {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds edu.device
}

import mutex_init {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import kzalloc {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import kfree {
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

import ksnprintf {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import pci_find_device {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import pci_enable {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import pci_msi_enable {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import vmm_map_mmio {
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

import msi_vector_alloc {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import iface_instance_add {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import strlcpy {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import cpus {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
