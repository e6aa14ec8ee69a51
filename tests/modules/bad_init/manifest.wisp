# bad_init — its init fails.
module badinit
version 1.0

export bad_init_export {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}
