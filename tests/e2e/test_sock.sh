#!/bin/sh
# test_sock.sh - the loopback socket families end to end (ipc_tcp,
# ipc_udp, and ipc_unix's datagram variants): every variant x size x
# placement row, ok (or a datagram size skipped naming the buffer limit)
# and validated; the schema holds; the rows say where they ran (a private
# network namespace, or the host's loopback); nothing is left listening -
# not after a run, and not after primbench is killed while a listener is
# live on the host's loopback; no debris.  Never a timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
BIN=$(readlink -f "$P")
# --quick keeps 3 of the 8 sizes: both ends and the middle (plan.c).
SIZES="64 16384 1048576"   # what --quick takes: both ends and the middle
command -v ss >/dev/null || { echo "ss (iproute2) not installed"; exit 77; }

for f in ipc_tcp ipc_udp; do
	"$P" list | grep -q "^$f - " || fail "$f is not in primbench list"
done
PAIRS=$("$P" list | awk '/^placements/ { p = 1; next } p && / and / { print $1 }')
[ -n "$PAIRS" ] || { echo "no two-worker placement on this host"; exit 77; }

# TCP and UDP sockets that listen (or are bound, for UDP) on the host, as
# "proto local-address"; other programs' are there before and after.
listening() { ss -Hltun 2>/dev/null | awk '{ print $1, $5 }' | sort -u; }
# ours_listening: listeners held by processes running this very binary.
ours_listening() {
	ss -Hltunp 2>/dev/null | while read -r line; do
		for p in $(echo "$line" | grep -o 'pid=[0-9]*' | cut -d= -f2); do
			[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$BIN" ] && echo "$line"
		done
	done
}
listening > "$WORK/listen.before"
# new_listeners: listeners now that were not there before (and are ours
# or unknown); a socket that went is not ours to explain.
new_listeners() {
	listening > "$WORK/listen.now"
	comm -13 "$WORK/listen.before" "$WORK/listen.now" | grep -q . || return 1
	# Something new: count it only if it is this binary's (other tests of
	# the host may open their own listeners meanwhile).
	[ -n "$(ours_listening)" ]
}

mkdir -p "$WORK/s"
"$P" run --quick --rounds 2 --filter '^(ipc_tcp|ipc_udp|ipc_unix/dgram)' --out "$WORK/s" > "$WORK/s.log" 2>&1 ||
	fail "socket run exited $?: $(tail -n 3 "$WORK/s.log")"
S=$(run_dir "$WORK/s")/summary.csv
head -n 1 "$S" | grep -q '^schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct' ||
	fail "summary.csv header is not schema 2's"
[ "$(csvq "$S" -n status=failed)" = 0 ] && [ "$(csvq "$S" -n status=timeout)" = 0 ] ||
	fail "a failed or timed-out row: $(csvq "$S" note status=failed)"
rows=0
for pl in $PAIRS; do
	for fv in ipc_tcp/stream ipc_unix/dgram; do
		b=${fv%/*} v=${fv#*/}
		for x in $SIZES; do
			k="bench=$b variant=$v x=$x placement=$pl metric=ns_per_op"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" -n $k)" = 1 ] || fail "$fv x=$x @$pl: not exactly one row"
			# shellcheck disable=SC2086
			st=$(csvq "$S" status $k) note=$(csvq "$S" note $k)
			if [ "$st" = skipped ] && [ "$b" = ipc_unix ]; then
				echo "$note" | grep -q 'wmem_max' || fail "$fv x=$x @$pl skipped without naming the limit: $note"
				continue
			fi
			[ "$st" = ok ] || fail "$fv x=$x @$pl: status $st: $note"
			[ "$(csvq "$S" -n bench="$b" variant="$v" x="$x" placement="$pl" metric=bytes_per_s status=ok)" = 1 ] ||
				fail "$fv x=$x @$pl: no bytes_per_s"
			rows=$((rows + 1))
		done
	done
	for fv in ipc_tcp/stream_lat ipc_tcp/connect ipc_udp/dgram_lat ipc_unix/dgram_lat; do
		b=${fv%/*} v=${fv#*/}
		k="bench=$b variant=$v placement=$pl metric=ns_per_op"
		# shellcheck disable=SC2086
		[ "$(csvq "$S" -n $k)" = 1 ] || fail "$fv @$pl: not exactly one row"
		# shellcheck disable=SC2086
		st=$(csvq "$S" status $k) note=$(csvq "$S" note $k) val=$(csvq "$S" validation $k)
		[ "$st" = ok ] || fail "$fv @$pl: status $st: $note"
		[ "$val" = n/a ] || valid_or_migrated "$val" "$note" || fail "$fv @$pl: validation $val: $note"
		[ "$(csvq "$S" -n bench="$b" variant="$v" placement="$pl" metric=bytes_per_s)" = 0 ] ||
			fail "$fv: a latency variant reports bytes_per_s"
		rows=$((rows + 1))
	done
done
echo "ok: $rows socket configurations ok and validated"
# Where TCP and UDP ran: every row says it.
n_tcpudp=$(csvq "$S" -n bench=ipc_tcp metric=ns_per_op)
n_tcpudp=$((n_tcpudp + $(csvq "$S" -n bench=ipc_udp metric=ns_per_op)))
n_where=$(csvq "$S" -t bench,note metric=ns_per_op | awk -F'\t' '$1 ~ /^ipc_(tcp|udp)$/ && $2 ~ /private network namespace|host loopback/' | wc -l)
[ "$n_where" -eq "$n_tcpudp" ] || fail "only $n_where of $n_tcpudp TCP/UDP rows say where they ran"
echo "ok: every TCP/UDP row names its network namespace"
if new_listeners; then fail "left listening: $(ours_listening)"; fi
echo "ok: no listener of ours after the run"

# The host-loopback fallback, killed with its listener live: the listener
# is visible while held, and gone with the processes after SIGKILL.
hold=$WORK/hold
mkdir -p "$WORK/k"
PRIMBENCH_INJECT="ipc_tcp:no-netns,hold=$hold" "$P" run --rounds 1 --filter '^ipc_tcp/connect$' \
	--placement same-cpu --out "$WORK/k" > "$WORK/k.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$hold" ] && [ $i -lt 300 ] && alive $pid; do sleep 0.1; i=$((i + 1)); done
[ -s "$hold" ] || { kill -9 $pid 2>/dev/null; fail "connect did not reach its hold: $(tail -n 3 "$WORK/k.log")"; }
[ -n "$(ours_listening)" ] || { kill -9 $pid; rm -f "$hold"; fail "no listener of ours on the host loopback while held"; }
echo "ok: the held connect listens on the host's loopback ($(ours_listening | awk '{ print $5 }' | head -n 1))"
kill -9 $pid
wait $pid 2>/dev/null
rm -f "$hold"
i=0
while [ -n "$(ours_listening)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(ours_listening)" ] || fail "still listening after SIGKILL: $(ours_listening)"
echo "ok: SIGKILL of primbench leaves nothing listening (the server died by PDEATHSIG)"
check "no debris" no_debris
