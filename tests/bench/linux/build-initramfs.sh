#!/usr/bin/env bash
# Builds the initramfs that Debian's Linux kernel boots for `make bench`.
# Everything in it comes from Debian packages or is compiled here:
#   busybox-static      /bin/busybox and its applets (sh, mount, poweroff, ...)
#   gcc + libc6-dev     /bin/lbench, /bin/hello-static (gcc -static),
#                       /bin/hello-dynamic (ordinary dynamic link)
#   libc6               ld.so and libc.so.6, copied from the package's files
#                       (dpkg -L libc6), for /bin/hello-dynamic
#   linux-headers-amd64 /lib/rcubench.ko (rcubench/), built against the
#                       headers of the newest /boot/vmlinuz-*; skipped, with
#                       a note, when those headers are not installed
#
# usage: build-initramfs.sh OUTDIR    writes OUTDIR/initramfs.cpio
set -euo pipefail

out=${1:?usage: build-initramfs.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$out/root
CFLAGS=(-O2 -Wall -Wextra -Werror)

rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,lib64,lib/x86_64-linux-gnu}

gcc "${CFLAGS[@]}" -static "$here/lbench.c" -o "$root/bin/lbench"
gcc "${CFLAGS[@]}" -static "$here/hello.c" -o "$root/bin/hello-static"
gcc "${CFLAGS[@]}" "$here/hello.c" -o "$root/bin/hello-dynamic"

# The dynamic loader and libc the dynamic hello names, from Debian's libc6.
interp=$(readelf -l "$root/bin/hello-dynamic" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
# (The list is read whole first: grep -m1 stopping early in a pipe from
# dpkg would kill dpkg with SIGPIPE, which pipefail turns into a failure.)
libc6_files=$(dpkg -L libc6)
for want in "$interp" libc.so.6; do
    file=$(grep -m1 "/$(basename "$want")\$" <<<"$libc6_files" || true)
    [ -n "$file" ] || { echo "build-initramfs: $want is not in libc6" >&2; exit 1; }
    dest=$root/lib/x86_64-linux-gnu/$(basename "$want")
    cp -L "$file" "$dest"
done
ln -sf ../lib/x86_64-linux-gnu/"$(basename "$interp")" "$root$interp"

# Linux's own RCU figures, from a module built for the kernel that boots.
kver=$(ls /boot/vmlinuz-* 2>/dev/null | LC_ALL=C sort | tail -n1 | sed 's|.*/vmlinuz-||')
if [ -n "$kver" ] && [ -d "/lib/modules/$kver/build" ]; then
    mkdir -p "$out/rcubench"
    cp "$here/rcubench/rcubench.c" "$here/rcubench/Kbuild" "$out/rcubench/"
    make -s -C "/lib/modules/$kver/build" M="$(cd "$out/rcubench" && pwd)" modules \
        >"$out/rcubench/build.log" 2>&1 || { cat "$out/rcubench/build.log"; exit 1; }
    cp "$out/rcubench/rcubench.ko" "$root/lib/rcubench.ko"
else
    echo "build-initramfs: no headers for Linux '$kver' (linux-headers-amd64): no RCU module" >&2
fi

cp /bin/busybox "$root/bin/busybox"
for applet in sh mount poweroff cat cut uname insmod dmesg sed grep; do
    ln -s busybox "$root/bin/$applet"
done
install -m 755 "$here/init.sh" "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --owner=0:0) \
    > "$out/initramfs.cpio"
echo "  CPIO    $out/initramfs.cpio ($(du -k "$out/initramfs.cpio" | cut -f1) KiB)"
