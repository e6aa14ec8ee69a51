module m
version 1.0
claims pci 1af4:1001
claims ports 0x3f8-0x3ff
claims irq 4
interface demo.x 1.0
method get {
  context any
  sleeps never
  reentrant yes
  user-callable yes
  update concurrent
}
implements demo.x 1.0 c
export c_get {
  context any
  sleeps never
  reentrant yes
  user-callable no
  update concurrent
}
