#!/usr/bin/env bash
# Dependency step of the build: installs the Debian packages Wisp needs and
# fetches the Debian *source* packages the kernel compiles freestanding
# (Concurrency Kit, BearSSL). Source packages come through a private apt
# configuration under build/apt, so the machine's own sources stay untouched.
#
# usage: mk/deps.sh packages        install missing packages (build, run, test)
#        mk/deps.sh bench-packages  also those `make bench` needs (Debian's
#                                   Linux and its headers, busybox, liburcu)
#        mk/deps.sh sources DIR     unpack ck and bearssl sources into DIR
set -euo pipefail

PACKAGES=(gcc make binutils nasm xorriso mtools grub-pc-bin grub-efi-amd64-bin ovmf
          grub-common qemu-system-x86 libck-dev openssl python3 dpkg-dev
          clang libclang-rt-14-dev)
# The side-by-side benchmarks only: kept out of `make test`'s dependencies.
BENCH_PACKAGES=(linux-image-amd64 linux-headers-amd64 busybox-static cpio liburcu-dev
                gnuplot-nox)

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing Debian packages: $*" >&2
        echo "deps: run as root (or: sudo apt-get install $*)" >&2
        exit 1
    fi
}

install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    need_root "${missing[@]}"
    echo "deps: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# Writes a deb-src list mirroring the machine's Debian deb lines.
write_source_list() {
    local list=$1 uri=http://deb.debian.org/debian suite=bookworm
    local f=/etc/apt/sources.list.d/debian.sources
    if [ -f "$f" ]; then
        uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
        suite=$(awk '/^Suites:/ {print $2; exit}' "$f")
    elif grep -qs '^deb ' /etc/apt/sources.list; then
        read -r _ uri suite _ < <(grep -m1 '^deb .*debian' /etc/apt/sources.list)
    fi
    echo "deb-src $uri $suite main" > "$list"
}

fetch_sources() {
    local dest=$1 apt=$PWD/build/apt
    mkdir -p "$apt/lists/partial" "$dest"
    write_source_list "$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=-"
                -o "Dir::State::Lists=$apt/lists" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -qq)
    if ! ls "$apt"/lists/*Sources* >/dev/null 2>&1; then
        apt-get "${opts[@]}" update
    fi
    cd "$dest"
    for pkg in ck bearssl; do
        ls -d "$pkg"-*/ >/dev/null 2>&1 && continue
        apt-get "${opts[@]}" source "$pkg" >/dev/null
    done
}

case "${1:-}" in
    packages) install_packages "${PACKAGES[@]}" ;;
    bench-packages) install_packages "${PACKAGES[@]}" "${BENCH_PACKAGES[@]}" ;;
    sources)  fetch_sources "${2:?usage: deps.sh sources DIR}" ;;
    *) echo "usage: $0 packages | bench-packages | sources DIR" >&2; exit 2 ;;
esac
