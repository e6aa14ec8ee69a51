# plain — a well-formed test module (tests/qemu/e2e_image.py signs it
# wrongly, tampers with it, and loads it under another section name).
module plain
version 1.0

import klog {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
