module bad
version 1.0
