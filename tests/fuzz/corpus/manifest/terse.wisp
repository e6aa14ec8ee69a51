module a
version 0.1
import g{
context any
sleeps never
reentrant yes
user-callable no
update quiescent
holds a.x b.y
}
lock a.x
