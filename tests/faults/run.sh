#!/bin/sh
# run.sh - run every tests/faults/test_*.sh, as tests/run_e2e.sh runs the
# end-to-end scripts (PRIMBENCH, CSVQ, a fresh WORK; exit 0 pass, 77 skip),
# then print the hardening table the scripts filled (kill points, leaks,
# inputs, crashes).  FAULTS_ONLY=pattern runs the matching scripts only.
set -u
: "${PRIMBENCH:?set PRIMBENCH to the binary}"
: "${CSVQ:?set CSVQ to build/csvq}"
export PRIMBENCH CSVQ
tally=${TALLY:-build/test-tally}
mkdir -p "$(dirname "$tally")"
FAULTS_TABLE=$(cd "$(dirname "$tally")" && pwd)/faults-table
: > "$FAULTS_TABLE"
export FAULTS_TABLE
pass=0 fail=0 skip=0
all_start=$(date +%s)
for t in tests/faults/test_*.sh; do
	case "$t" in *"${FAULTS_ONLY:-}"*) ;; *) continue ;; esac
	WORK=$(mktemp -d /tmp/primbench-faults.XXXXXX)
	export WORK
	start=$(date +%s)
	sh "$t" > "$WORK.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "faults $t: ok (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "faults $t: skipped: $(tail -n 1 "$WORK.log")" ;;
	*) fail=$((fail + 1)); echo "faults $t: FAILED (rc=$rc, ${secs}s)"; sed 's/^/    /' "$WORK.log" | tail -n 40 ;;
	esac
	[ -n "${FAULTS_VERBOSE:-}" ] && sed 's/^/    /' "$WORK.log"
	rm -rf "$WORK" "$WORK.log"
done
echo "faults: hardening table ($(( $(date +%s) - all_start ))s)"
awk '{ if ($1 ~ /_max$/) { if (!($1 in v) || $2 > v[$1]) v[$1] = $2 } else v[$1] += $2
       if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
     END { for (i = 0; i < n; i++) printf "  %-28s %s\n", order[i], v[order[i]] }' "$FAULTS_TABLE"
echo "faults $pass $fail $skip" >> "$tally"
[ "$fail" -eq 0 ]
