# Wrong on purpose: no `import kzalloc` block.
module undeclared_import
version 1.0

export buffer_new {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update concurrent
}
