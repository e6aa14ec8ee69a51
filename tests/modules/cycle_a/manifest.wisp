# cycle_a — half of an import cycle (with cycle_b).
module cyclea
version 1.0

export cycle_a_fn {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import cycle_b_fn {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
