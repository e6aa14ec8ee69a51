#!/bin/bash
# check-layers.sh — the layering rule of modload/ (modload/README.md,
# "Who may include whom"), checked on every kernel build:
#
#   modload/format/    includes only modload/format/
#   modload/contract/  includes only modload/format/ and modload/contract/
#   modload/tools/     (host) never includes the loader or modload/update/
#   the loader (modload/*.c, *.h) never includes modload/update/
#   kernel/            never includes modload/update/ (update commands and
#                      the update line register themselves: KCONSOLE_COMMAND,
#                      SERVICE_INITCALL)
#
# Prints each breach as FILE:LINE: the include and the rule, and exits 1.
set -u
cd "$(dirname "$0")/.." || exit 2
status=0

# breach FILES... -- PATTERN RULE: every include line in FILES matching the
# extended regular expression PATTERN is a breach of RULE.
check() {
    local pattern=$1 rule=$2
    shift 2
    [ $# -gt 0 ] || return 0
    local hits
    hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$@" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "$hits" | sed "s|\$|   <- $rule|"
        status=1
    fi
}

shopt -s nullglob
format=(modload/format/*.[ch])
contract=(modload/contract/*.[ch])
tools=(modload/tools/*.[ch])
loader=(modload/*.[ch])
kernel=($(find kernel -name '*.[ch]'))

# Anything under modload/ but the allowed folders.
check 'modload/(contract|update|tools)/|modload/[a-z_]+\.h' \
    "modload/format/ includes only modload/format/" "${format[@]}"
check 'modload/(update|tools)/|modload/[a-z_]+\.h' \
    "modload/contract/ includes only modload/format/ and modload/contract/" "${contract[@]}"
check 'modload/update/|modload/[a-z_]+\.h' \
    "modload/tools/ never includes the loader or modload/update/" "${tools[@]}"
check 'modload/update/' "the loader never calls up into modload/update/" "${loader[@]}"
check 'modload/update/' "kernel/ never includes modload/update/" "${kernel[@]}"

if [ $status = 0 ]; then
    echo "  OK      layers: format < contract < loader < update; kernel/ does not include update/"
fi
exit $status
