# cycle_b — half of an import cycle (with cycle_a).
module cycleb
version 1.0

export cycle_b_fn {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import cycle_a_fn {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
