# Wrong on purpose (with order_a): the two orders form a cycle.
module order_b
version 1.0
lock order_b.state
order order_b.state < order_a.state

export order_b_value {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}
