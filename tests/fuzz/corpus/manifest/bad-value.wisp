module m
version 1.0
export f {
  context any
  sleeps maybe
}
