# Wrong on purpose (with order_b): the two orders form a cycle.
module order_a
version 1.0
lock order_a.state
order order_a.state < order_b.state

export order_a_value {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}
