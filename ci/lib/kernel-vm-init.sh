#!/bin/sh
# kernel-vm-init.sh - /init of ci/kernel-vm's initramfs (run by busybox sh as
# PID 1 inside the guest).
#
# The initramfs holds busybox, a static primbench and /etc/kernel-vm.conf
# (written by ci/kernel-vm): TOKEN (a random string that makes the markers
# unique, so nothing the kernel prints can be taken for them), FILTER and
# RUNARGS.  The kernel command line says what to do:
#   pbmode=probe   print PRIMBENCH-PROBE-OK-<token> and power off (ci/kernel-vm
#                  boots this under KVM to learn whether KVM can run the guest)
#   pbmode=run     run the suite and send the results folder back
#   pbaccel=NAME   the accelerator QEMU runs under; becomes meta `accel`
#
# The results go back over the serial console, the one device every stock
# kernel has built in (the Debian cloud kernels have 9p and virtio-pci only
# as modules): a gzipped tar, base64-encoded, between
# PRIMBENCH-RESULTS-BEGIN-<token> and PRIMBENCH-RESULTS-END-<token>, then
# PRIMBENCH-RC-<token> <primbench's exit status>.
PATH=/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node (making one needs root), so the
# kernel could not give us a console; take it now that devtmpfs is up.
exec </dev/console >/dev/console 2>&1

# What primbench's IPC benchmarks and its temporary files need.
mkdir -p /dev/shm /dev/mqueue /tmp /results
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t mqueue mqueue /dev/mqueue 2>/dev/null || echo "kernel-vm: no mqueue filesystem"

. /etc/kernel-vm.conf

mode=run
accel=unknown
for arg in $(cat /proc/cmdline); do
	case $arg in
	pbmode=*) mode=${arg#pbmode=} ;;
	pbaccel=*) accel=${arg#pbaccel=} ;;
	esac
done

# Only emergencies on the console from here on: a kernel message in the
# middle of the base64 stream would corrupt it.
echo 1 > /proc/sys/kernel/printk

vm_off() {
	# The tty layer may still hold output the UART has not sent; powering
	# off at once would cut the end of the stream.
	sleep 2
	poweroff -f
	# poweroff failed: exiting PID 1 panics, and panic=-1 with QEMU's
	# -no-reboot ends the VM all the same.
	exit 1
}

if [ "$mode" = probe ]; then
	echo "PRIMBENCH-PROBE-OK-$TOKEN"
	vm_off
fi

# The folder name is <host>_<kernel>_<UTC>: say which accelerator made it.
hostname "vm-$accel"
echo "kernel-vm: $(uname -r) under $accel, $(grep -c ^processor /proc/cpuinfo) CPUs; running primbench $RUNARGS --filter '$FILTER'"

# RUNARGS is a list of separate words (e.g. "--quick"): split on purpose.
# shellcheck disable=SC2086
PRIMBENCH_ACCEL=$accel primbench run $RUNARGS --filter "$FILTER" --out /results --print-dir > /tmp/dir
rc=$?
dir=$(cat /tmp/dir)
echo "kernel-vm: primbench exited $rc${dir:+, results in $dir}"

if [ -n "$dir" ] && [ -d "$dir" ]; then
	echo "PRIMBENCH-RESULTS-BEGIN-$TOKEN"
	tar -C /results -czf - "$(basename "$dir")" | base64
	echo "PRIMBENCH-RESULTS-END-$TOKEN"
fi
echo "PRIMBENCH-RC-$TOKEN $rc"
vm_off
