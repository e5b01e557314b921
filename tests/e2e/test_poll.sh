#!/bin/sh
# test_poll.sh - the poll family end to end (pipes and TCP sockets): every variant x fds point has
# its row, ok and validated (no wait blocked on a ready descriptor); the
# schema holds; with a hard RLIMIT_NOFILE too low for the biggest point
# that point is skipped with the reason and the others run; no descriptor,
# process or file outlives the run.  Never a timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

"$P" list | grep -q '^poll - ' || fail "poll is not in primbench list"
mkdir -p "$WORK/pl"
"$P" run --quick --rounds 2 --filter '^poll/' --out "$WORK/pl" > "$WORK/pl.log" 2>&1 ||
	fail "poll run exited $?: $(tail -n 3 "$WORK/pl.log")"
D=$(run_dir "$WORK/pl")
S=$D/summary.csv
head -n 1 "$S" | grep -q '^schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct' ||
	fail "summary.csv header is not schema 2's"
for v in select poll epoll_wait write_read epoll_ctl select_tcp poll_tcp epoll_wait_tcp write_read_tcp; do
	for x in 1 100 1000; do   # --quick: both ends and the middle
		k="bench=poll variant=$v placement=single sweep=fds x=$x metric=ns_per_op"
		# shellcheck disable=SC2086
		[ "$(csvq "$S" -n $k)" = 1 ] || fail "$v fds=$x: not exactly one row"
		# shellcheck disable=SC2086
		st=$(csvq "$S" status $k) note=$(csvq "$S" note $k) val=$(csvq "$S" validation $k)
		if [ "$st" = skipped ]; then
			# A host whose limits refuse the descriptors: a reason, never a failure.
			echo "$note" | grep -Eq 'RLIMIT_NOFILE|FD_SETSIZE|pipes:|connections:|max_user_watches' ||
				fail "$v fds=$x skipped without a reason: $note"
			continue
		fi
		[ "$st" = ok ] || fail "$v fds=$x: status $st: $note"
		[ "$val" = pass ] || fail "$v fds=$x: validation $val: $note"
	done
done
echo "ok: poll: 9 variants (5 over pipes, 4 over TCP sockets) x 4 points ok, no wait blocked"
# The TCP variants say where their sockets are.
for v in select_tcp poll_tcp epoll_wait_tcp write_read_tcp; do
	csvq "$S" note bench=poll variant=$v x=1 metric=ns_per_op | grep -Eq 'private network namespace|host loopback' ||
		fail "$v: the note does not say which network namespace"
done

# A hard limit of 512 descriptors: fds=1000 needs 2032, so it is skipped
# with the limit named; fds=100 still runs.  (ulimit in a subshell: only
# this run sees it.)
mkdir -p "$WORK/lim"
(ulimit -n 512 && exec "$P" run --quick --rounds 1 --filter '^poll/epoll_wait' --out "$WORK/lim") > "$WORK/lim.log" 2>&1 ||
	fail "limited run exited $?: $(tail -n 3 "$WORK/lim.log")"
S=$(run_dir "$WORK/lim")/summary.csv
[ "$(csvq "$S" status bench=poll variant=epoll_wait x=1000 metric=ns_per_op)" = skipped ] ||
	fail "fds=1000 under a 512 limit: not skipped"
csvq "$S" note bench=poll variant=epoll_wait x=1000 metric=ns_per_op | grep -q 'RLIMIT_NOFILE hard limit 512' ||
	fail "fds=1000 skip does not name the limit: $(csvq "$S" note bench=poll variant=epoll_wait x=1000 metric=ns_per_op)"
[ "$(csvq "$S" status bench=poll variant=epoll_wait x=100 metric=ns_per_op)" = ok ] ||
	fail "fds=100 under a 512 limit did not run"
echo "ok: a low RLIMIT_NOFILE skips the point that cannot get its descriptors, with the reason"
check "no debris" no_debris
