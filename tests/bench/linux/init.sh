#!/bin/sh
# /init of the Linux benchmark initramfs (tests/bench/linux/build-initramfs.sh):
# mounts what lbench reads, runs it on the serial console, powers off.
# "lbench=quick" on the kernel command line reaches us as $lbench.
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "# init: $(cat /proc/uptime | cut -d' ' -f1) s after boot; kernel $(uname -r)"
if [ "$lbench" = quick ]; then
    /bin/lbench --quick
else
    /bin/lbench
fi
if [ -f /lib/rcubench.ko ]; then
    # The module measures in its init; its figures are in the kernel log.
    insmod /lib/rcubench.ko
    dmesg | sed -n 's/^\[[^]]*\] //p' | grep '^bench: linux\.'
fi
poweroff -f
