# Wrong on purpose: user threads would call remember() concurrently.
module user_not_reentrant
version 1.0

export remember {
    context process
    sleeps never
    reentrant no
    user-callable yes
    update concurrent
}
