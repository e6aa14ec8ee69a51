#!/usr/bin/env bash
# check-ksyms.sh PASS1.ELF FINAL.ELF — the symbol table built from the first
# link is only right if the second link left every function where it was.
set -euo pipefail
if ! cmp -s <(nm -n "$1" | awk '$2 ~ /^[tT]$/') <(nm -n "$2" | awk '$2 ~ /^[tT]$/'); then
    echo "check-ksyms: function addresses moved between the two links" >&2
    exit 1
fi
