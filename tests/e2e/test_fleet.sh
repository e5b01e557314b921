#!/bin/sh
# test_fleet.sh - ci/fleet end to end on one machine: two "hosts" reached
# through a stand-in ssh command that ignores the host name and runs the
# command locally in a folder of its own (its TMPDIR), so the real pipeline
# runs: the tree packed and piped in, built and run there (--run-only, quick
# baselines), the results folder piped back, then `primbench compare` of the
# second host against the first.  Checks: both folders come back under
# fleet_<UTC>/<host>/ and parse, each host's temporary folder is removed,
# the comparison is printed and its exit status is 0 or 1, never 2.
# Also: a host whose ssh fails gives exit 1 and the others still come back;
# --serial runs the hosts one at a time, in order, and the default all at
# once (start/end marks a second stand-in writes, never timing); bad usage
# gives exit 2.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

command -v parallel >/dev/null 2>&1 || { echo "skipped: no GNU parallel"; exit 77; }

# The stand-in for ssh: HOST COMMAND... runs COMMAND with sh, as ssh hands the
# joined words to the remote shell, in $WORK/hosts/HOST.  Host "down" fails
# as an unreachable host does (ssh exits 255).
cat > "$WORK/fake-ssh" <<'EOF'
#!/bin/sh
host=$1
shift
[ "$host" = down ] && { echo "ssh: connect to host down: Connection refused" >&2; exit 255; }
mkdir -p "$FAKE_HOSTS/$host" && cd "$FAKE_HOSTS/$host" || exit 255
TMPDIR=$PWD exec sh -c "$*"
EOF
chmod +x "$WORK/fake-ssh"
FAKE_HOSTS=$WORK/hosts
export FAKE_HOSTS
mkdir -p "$WORK/out" "$WORK/out2"

start=$(date +%s)
timeout -k 5 600 ci/fleet --ssh "$WORK/fake-ssh" --run-only --quick --filter '^(null|syscall_getppid)/' \
	--primbench "$P" --out "$WORK/out" alpha beta > "$WORK/stdout" 2> "$WORK/stderr"
rc=$?
secs=$(( $(date +%s) - start ))
cat "$WORK/stdout"
[ "$rc" -eq 0 ] || { tail -n 30 "$WORK/stderr"; fail "ci/fleet exited $rc after ${secs}s"; }
echo "fleet run of two hosts: ${secs}s"

fleet=$(ls -d "$WORK"/out/fleet_* 2>/dev/null)
[ "$(echo "$fleet" | wc -l)" -eq 1 ] && [ -d "$fleet" ] || fail "expected one fleet_* folder, got: $fleet"
for h in alpha beta; do
	d=$(run_dir "$fleet/$h")
	[ -n "$d" ] || fail "no results folder for $h"
	for f in summary samples meta; do csvq "$d/$f.csv" >/dev/null || fail "$h: $f.csv does not parse"; done
	[ "$(csvq "$d/meta.csv" value key=complete)" = true ] || fail "$h: meta complete is not true"
	for b in null syscall_getppid; do
		[ "$(csvq "$d/summary.csv" -n bench=$b metric=ns_per_op status=ok)" -eq 1 ] ||
			fail "$h: no ok ns_per_op row for $b"
	done
	[ -s "$fleet/$h.log" ] || fail "$h: no log"
	grep -q "^$h	exit 0" "$WORK/stderr" || fail "$h: no 'exit 0' line"
	left=$(ls "$FAKE_HOSTS/$h")
	[ -z "$left" ] || fail "$h: temporary folder left behind: $left"
	grep -q "$d" "$WORK/stdout" || fail "$h: its folder is not listed"
done
echo "ok: both hosts' results came back and parse; no remote debris"

grep -q '^=== beta (cand) vs alpha (base) ===' "$WORK/stdout" || fail "no comparison header"
grep -q '^primbench compare' "$WORK/stdout" || fail "compare's report is not printed"
grep -Eq '^=== beta vs alpha: compare exit [013] ' "$WORK/stdout" || fail "compare did not exit 0, 1 or 3"
echo "ok: cross-host comparison printed, compare exit 0, 1 or 3"

# An unreachable host: exit 1, named, and the reachable one still comes back.
timeout -k 5 600 ci/fleet --ssh "$WORK/fake-ssh" --run-only --quick --filter '^null' \
	--primbench "$P" --out "$WORK/out2" down gamma > "$WORK/stdout" 2> "$WORK/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "an unreachable host gave exit $rc, expected 1"
grep -Eq '^ +down +no results \(remote exit 255\)' "$WORK/stdout" || fail "the unreachable host is not reported"
[ -n "$(run_dir "$(ls -d "$WORK"/out2/fleet_*)/gamma")" ] || fail "the reachable host's results are missing"
echo "ok: an unreachable host gives exit 1; the others still come back"

# One job at a time or all at once, from the marks of a stand-in that builds
# nothing: it writes "start HOST" and "end HOST" around its job and answers
# with a fixture run.  Host alpha's job polls (bounded) for beta's start
# before it ends.  All at once, beta starts meanwhile, so its start comes
# before alpha's end; one at a time, beta cannot start until alpha's job has
# exited, so the poll runs out (2 s) and the marks are strictly in turn: a
# --serial that ran hosts together would show beta's start inside alpha's
# job however fast the jobs were.  All at once, alpha waits up to 100 s:
# beta's start ends that wait as soon as it comes, so no machine is too slow
# for it (only a fleet that ran them in turn waits it out, and fails).
cat > "$WORK/marks-ssh" <<'EOF'
#!/bin/sh
host=$1
echo "start $host" >> "$MARKS"
cat > /dev/null
if [ "$host" = alpha ]; then
	i=0
	while ! grep -qx 'start beta' "$MARKS" && [ $i -lt "$WAIT_TENTHS" ]; do sleep 0.1; i=$((i + 1)); done
fi
tar -czf - -C tests/fixtures/compare base
echo "end $host" >> "$MARKS"
EOF
chmod +x "$WORK/marks-ssh"
MARKS=$WORK/marks
export MARKS
mkdir -p "$WORK/out3" "$WORK/out4"
: > "$MARKS"
WAIT_TENTHS=20 timeout -k 5 120 ci/fleet --serial --ssh "$WORK/marks-ssh" --primbench "$P" --out "$WORK/out3" \
	alpha beta gamma > "$WORK/stdout" 2> "$WORK/stderr"
rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$WORK/stderr"; fail "ci/fleet --serial exited $rc"; }
grep -q 'one at a time' "$WORK/stderr" || fail "--serial does not say it runs one host at a time"
marks=$(tr '\n' ' ' < "$MARKS")
[ "$marks" = "start alpha end alpha start beta end beta start gamma end gamma " ] ||
	fail "--serial: jobs overlapped or ran out of order: $marks"
for h in alpha beta gamma; do
	[ -n "$(run_dir "$(ls -d "$WORK"/out3/fleet_*)/$h")" ] || fail "--serial: no results for $h"
done
echo "ok: --serial runs the hosts one at a time, in the order given"
: > "$MARKS"
WAIT_TENTHS=1000 timeout -k 5 150 ci/fleet --ssh "$WORK/marks-ssh" --primbench "$P" --out "$WORK/out4" \
	alpha beta > "$WORK/stdout" 2> "$WORK/stderr"
rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$WORK/stderr"; fail "ci/fleet (all at once) exited $rc"; }
sed -n '/^end alpha$/q; /^start beta$/p' "$MARKS" | grep -q . ||
	fail "by default beta did not start while alpha ran: $(tr '\n' ' ' < "$MARKS")"
echo "ok: by default the hosts run at once"

ci/fleet --jobs x a 2>/dev/null; [ $? -eq 2 ] || fail "a bad --jobs must exit 2"
ci/fleet --ssh "$WORK/fake-ssh" --out "$WORK/out" 2>/dev/null; [ $? -eq 2 ] || fail "no host must exit 2"
ci/fleet --ssh "$WORK/fake-ssh" --out "$WORK/out" a a 2>/dev/null; [ $? -eq 2 ] || fail "a host twice must exit 2"
ci/fleet --bogus a 2>/dev/null; [ $? -eq 2 ] || fail "an unknown option must exit 2"
ci/fleet --out "$WORK/nope" a 2>/dev/null; [ $? -eq 2 ] || fail "a missing --out must exit 2"
echo "ok: bad usage exits 2"
