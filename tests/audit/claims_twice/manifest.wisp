# claims_twice — declares COM1's ports, as the console module does.
module claims_twice
version 1.0
state none

claims ports 0x3f8-0x3ff

export claims_twice_ready {
    context any
    sleeps never
    reentrant yes
    user-callable no
    update concurrent
}
