# com1_again — a second COM1 driver, refused (tests/kernel/test_devices.c).
module com1_again
version 1.0
state none

claims ports 0x3f8-0x3ff
claims irq 4

import resource_claim {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
