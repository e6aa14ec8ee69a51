# counter — the demo module: one counter shared by every caller (atomic,
# no lock). It is the module swapped live.
module counter
version 6.0
state 1                         # layout: one uint64_t total, in a heap object
transfer-from 1

export counter_add {
    context any
    sleeps never
    reentrant no
    user-callable yes
    update concurrent
    prototype uint64_t counter_add(uint64_t n)
}

export counter_read {
    context any
    sleeps never
    reentrant yes
    user-callable yes
    update concurrent
    prototype uint64_t counter_read(void)
}

export counter_version {
    context any
    sleeps never
    reentrant yes
    user-callable yes
    update concurrent
    prototype uint32_t counter_version(void)
}

import klog {                   # pr_info in init
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import kzalloc {                # the state object, in init
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}

import kfree {                  # exit, and adopting a state
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
