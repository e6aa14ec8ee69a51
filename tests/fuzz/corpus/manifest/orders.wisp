module m
version 1.0
state 3
transfer-from 1 2 3
lock m.a
lock m.b
order m.a < m.b
order m.b < x.c

export f {
  context interrupt
  sleeps never
  reentrant no
  user-callable no
  update never
  acquires m.b
  caller-holds m.a
}
