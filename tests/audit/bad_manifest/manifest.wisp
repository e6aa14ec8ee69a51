# Wrong on purpose: "maybe" is not a value of `sleeps`.
module bad_manifest
version 1.0

export answer {
    context any
    sleeps maybe
    reentrant yes
    user-callable no
    update concurrent
}
