# kvstore — a small RAM key-value store under one mutex.
module kvstore
version 1.0
state none

lock kvstore.entries            # protects the entry table and every entry

export kv_put {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    acquires kvstore.entries
}

export kv_get {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    acquires kvstore.entries
}

export kv_delete {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    acquires kvstore.entries
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
    holds kvstore.entries
}

import kzalloc {                # kv_put, under kvstore.entries
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds kvstore.entries
}

import kfree {                  # kv_delete (under kvstore.entries) and exit
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds kvstore.entries
}

import memcpy {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds kvstore.entries
}

import strcmp {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds kvstore.entries
}

import strlcpy {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
    holds kvstore.entries
}

import strnlen {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
