#!/bin/sh
# deps.sh run|test - install what primbench needs on a fresh Debian machine.
#
# As root, missing packages are installed with apt-get; otherwise the exact
# command to run is printed and the script fails (exit 2).
set -eu
what=${1:-run}

# Packages for building and running the suite, and for plots.
pkgs="build-essential pkg-config libhwloc-dev hwloc libpfm4-dev gnuplot-nox parallel"
if [ "$what" = test ]; then
	# The unit-test framework, memcheck, sanitizer runtime, fuzzer compiler,
	# IPC inspection (ipcs) and unprivileged runs (runuser).
	pkgs="$pkgs libcmocka-dev valgrind clang libclang-rt-dev util-linux procps"
	# ci/kernel-vm's test boots a kernel under QEMU from a static busybox
	# initramfs.
	pkgs="$pkgs qemu-system-x86 busybox-static cpio"
	# tests/e2e/test_install renders primbench(1) with man --warnings.
	pkgs="$pkgs man-db groff-base"
	# ci/fleet's real-ssh test runs sshd in network namespaces (ip netns,
	# veth) and reaches it with the OpenSSH client.
	pkgs="$pkgs openssh-server openssh-client iproute2"
	# tests/e2e/test_export feeds exports to google/benchmark's own
	# compare.py (libbenchmark-tools), which imports scipy and numpy, under
	# Debian's python3; and validates JSON with python3 -m json.tool.
	pkgs="$pkgs libbenchmark-tools python3 python3-scipy python3-numpy"
fi

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "primbench: missing packages:$missing; run as root: apt-get update && $cmd" >&2
	exit 2
fi
echo "primbench: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
