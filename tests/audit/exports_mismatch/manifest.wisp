# Wrong on purpose: declares old_export, the code exports real_export.
module exports_mismatch
version 1.0

export old_export {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}
