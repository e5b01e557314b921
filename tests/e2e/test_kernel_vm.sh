#!/bin/sh
# test_kernel_vm.sh - ci/kernel-vm end to end: boot one stock Debian cloud
# kernel under QEMU's TCG with the static primbench, run the quick baselines
# inside, and check that the results folder comes back whole: it parses, its
# meta says accel=tcg and names the guest's kernel, both baselines ran.  Then
# `primbench compare` of a host run against it must withhold verdicts (the
# accelerators differ) unless --force.  Last, --accel auto must record the
# accelerator its KVM probe chose, whichever that is on this host.
#
# Skipped (77) when QEMU, a static busybox or the kernel cannot be had.  The
# kernel .deb is downloaded once (apt-get download) and cached in
# build/kernels/ (KERNEL_VM_CACHE=DIR elsewhere); KERNEL_VM_IMAGE=PATH uses a
# given kernel instead, and PRIMBENCH_STATIC=PATH a given static primbench.
# Every QEMU boot is bounded (QEMU can hang after a KVM internal error), and
# so is the whole test.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

skip() { echo "skipped: $*"; exit 77; }

command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
bb=$(command -v busybox 2>/dev/null) || skip "no busybox (apt-get install busybox-static)"
LC_ALL=C ldd "$bb" >/dev/null 2>&1 && skip "busybox is not static (apt-get install busybox-static)"
for tool in cpio timeout; do command -v $tool >/dev/null 2>&1 || skip "no $tool"; done

# --- the kernel: given, cached, or the newest 6.1 cloud kernel from apt -------------
kernel=${KERNEL_VM_IMAGE:-}
cache=${KERNEL_VM_CACHE:-build/kernels}
if [ -z "$kernel" ]; then
	kernel=$(ls "$cache"/vmlinuz-6.1.0-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$kernel" ]; then
	command -v apt-get >/dev/null 2>&1 || skip "no kernel image and no apt-get to fetch one"
	pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1)
	[ -n "$pkg" ] || skip "apt knows no linux-image-6.1.0-*-cloud-amd64-unsigned"
	mkdir -p "$cache" "$WORK/deb" || skip "cannot create $cache"
	(cd "$WORK/deb" && timeout 120 apt-get download "$pkg" >/dev/null 2>&1) || skip "apt-get download $pkg failed"
	dpkg-deb -x "$WORK"/deb/*.deb "$WORK/deb/x" || skip "cannot unpack $pkg"
	for v in "$WORK"/deb/x/boot/vmlinuz-*; do cp "$v" "$cache/"; done
	kernel=$(ls "$cache"/vmlinuz-6.1.0-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$kernel" ] || skip "$pkg holds no vmlinuz"
fi
[ -r "$kernel" ] || skip "cannot read $kernel"
release=${kernel##*/vmlinuz-}
echo "kernel: $kernel"

# --- the static primbench ------------------------------------------------------------------
static=${PRIMBENCH_STATIC:-}
if [ -z "$static" ]; then
	make -s BUILD="$WORK/build" static > "$WORK/make.log" 2>&1 ||
		{ tail -n 20 "$WORK/make.log"; fail "make static failed"; }
	static=$WORK/build/primbench-static
fi
LC_ALL=C ldd "$static" >/dev/null 2>&1 && fail "$static is not static"

# --- a quick baseline run under TCG ----------------------------------------------------------
mkdir -p "$WORK/vm" "$WORK/host" "$WORK/auto"
start=$(date +%s)
# The limits (kernel-vm's --timeout, the outer timeout) only bound a hung
# QEMU: an emulated boot on a loaded machine may take minutes, and how long
# it took is reported, never judged.
timeout -k 5 600 ci/kernel-vm --accel tcg --quick --filter '^(null|syscall_getppid)/' --timeout 540 \
	--primbench "$static" --out "$WORK/vm" "$kernel" > "$WORK/out" 2> "$WORK/err"
rc=$?
secs=$(( $(date +%s) - start ))
cat "$WORK/err"
[ "$rc" -eq 0 ] || fail "ci/kernel-vm exited $rc after ${secs}s"
echo "kernel-vm TCG run: wall ${secs}s"
[ "$(wc -l < "$WORK/out")" -eq 1 ] || fail "expected one results path on stdout, got: $(cat "$WORK/out")"
dir=$(cat "$WORK/out")
[ -d "$dir" ] || fail "no results folder $dir"
[ "$(dirname "$dir")" = "$WORK/vm" ] || fail "results folder $dir not under --out"
for f in summary samples meta vm; do csvq "$dir/$f.csv" >/dev/null || fail "$f.csv does not parse"; done
[ "$(csvq "$dir/meta.csv" value key=accel)" = tcg ] || fail "meta accel is not tcg"
[ "$(csvq "$dir/meta.csv" value key=complete)" = true ] || fail "meta complete is not true"
[ "$(csvq "$dir/meta.csv" value key=kernel_release)" = "$release" ] ||
	fail "meta kernel_release is $(csvq "$dir/meta.csv" value key=kernel_release), booted $release"
for b in null syscall_getppid; do
	[ "$(csvq "$dir/summary.csv" -n bench=$b metric=ns_per_op status=ok)" -eq 1 ] ||
		fail "no ok ns_per_op row for $b in the guest's summary"
done
[ "$(csvq "$dir/vm.csv" value key=accel)" = tcg ] || fail "vm.csv accel is not tcg"
[ "$(csvq "$dir/vm.csv" value key=primbench_rc)" = 0 ] || fail "vm.csv primbench_rc is not 0"
echo "ok: TCG run came back and parses (guest wall $(csvq "$dir/vm.csv" value key=wall_s)s)"

# --- compare across accelerators: no verdict unless forced ----------------------------------------
host=$($P run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/host" --print-dir 2>/dev/null) ||
	fail "host run failed"
$P compare --format csv --out "$WORK/cmp.csv" "$host" "$dir" > "$WORK/cmp.txt" 2>&1
rc=$?
# Verdicts withheld, so nothing is decidable: the gate fails as inconclusive.
[ "$rc" -eq 3 ] || fail "compare host vs tcg exited $rc, expected 3 (verdicts withheld): $(cat "$WORK/cmp.txt")"
grep -q 'inconclusive: .*different accelerators' "$WORK/cmp.txt" || fail "compare host vs tcg: no reason given"
for b in null syscall_getppid; do
	v=$(csvq "$WORK/cmp.csv" verdict bench=$b metric=ns_per_op)
	[ "$v" = n/a ] || fail "compare gave $b ns_per_op the verdict '$v' across accelerators"
done
$P compare --force --format csv --out "$WORK/forced.csv" "$host" "$dir" > "$WORK/cmp.txt" 2>&1
rc=$?
[ "$rc" -ne 2 ] || fail "compare --force exited $rc"
# Forced, the key is tested: a change and a verdict that is not n/a (which
# one depends on how noisy the emulator was).
v=$(csvq "$WORK/forced.csv" verdict bench=syscall_getppid metric=ns_per_op)
[ -n "$(csvq "$WORK/forced.csv" change_pct bench=syscall_getppid metric=ns_per_op)" ] ||
	fail "compare --force did not test syscall_getppid"
case $v in slower | faster | same | undecided) ;; *) fail "compare --force gave no verdict ('$v')" ;; esac
echo "ok: compare withholds verdicts across accelerators, gives one with --force ($v)"

# --- --accel auto: the probe's choice is what the guest records ------------------------------------
timeout -k 5 600 ci/kernel-vm --accel auto --probe-timeout 20 --quick --filter '^null' --timeout 540 \
	--primbench "$static" --out "$WORK/auto" "$kernel" > "$WORK/out" 2> "$WORK/err"
rc=$?
cat "$WORK/err"
[ "$rc" -eq 0 ] || fail "ci/kernel-vm --accel auto exited $rc"
adir=$(cat "$WORK/out")
a=$(csvq "$adir/meta.csv" value key=accel)
case $a in kvm | tcg) ;; *) fail "--accel auto recorded accel '$a'" ;; esac
[ "$(csvq "$adir/vm.csv" value key=accel)" = "$a" ] || fail "vm.csv and meta disagree on the accelerator"
grep -q "accel=$a" "$WORK/err" || fail "kernel-vm did not report accel=$a"
if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	[ "$a" = tcg ] || fail "no usable /dev/kvm, yet accel=$a"
fi
echo "ok: --accel auto chose $a ($(csvq "$adir/vm.csv" value key=accel_reason))"

# --- bad usage ------------------------------------------------------------------------------------
ci/kernel-vm --accel bogus "$kernel" 2> "$WORK/err"; [ $? -eq 2 ] || fail "--accel bogus must exit 2"
ci/kernel-vm --out "$WORK/vm" /no/such/kernel 2> "$WORK/err"; [ $? -eq 2 ] || fail "a missing kernel must exit 2"
ci/kernel-vm --primbench "$P" --out "$WORK/vm" "$kernel" 2> "$WORK/err"
[ $? -eq 2 ] && grep -q 'not a static' "$WORK/err" || fail "a dynamic primbench must be refused with exit 2"
echo "ok: bad usage exits 2"
