# bad_import — declares the import nobody exports (the refusal is
# "unresolved import", not a manifest error).
module badimport
version 1.0

import no_such_function_anywhere {
    context process
    sleeps may
    reentrant yes
    user-callable no
    update quiescent
}
