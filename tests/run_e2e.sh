#!/bin/sh
# run_e2e.sh - run every tests/e2e/test_*.sh.
#
# Each script gets PRIMBENCH (the binary), WORK (a fresh temporary folder,
# removed afterwards) and tests/e2e/lib.sh to source; exit 0 = pass,
# 77 = skipped (with a reason on stdout), anything else = fail.
# E2E_ONLY=pattern runs the matching scripts only.
set -u
: "${PRIMBENCH:?set PRIMBENCH to the binary}"
export PRIMBENCH
tally=${TALLY:-build/test-tally}
mkdir -p "$(dirname "$tally")"
pass=0 fail=0 skip=0
for t in tests/e2e/test_*.sh; do
	case "$t" in *"${E2E_ONLY:-}"*) ;; *) continue ;; esac
	WORK=$(mktemp -d /tmp/primbench-e2e.XXXXXX)
	export WORK
	start=$(date +%s)
	sh "$t" > "$WORK.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "e2e $t: ok (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "e2e $t: skipped: $(tail -n 1 "$WORK.log")" ;;
	*) fail=$((fail + 1)); echo "e2e $t: FAILED (rc=$rc, ${secs}s)"; sed 's/^/    /' "$WORK.log" | tail -n 40 ;;
	esac
	rm -rf "$WORK" "$WORK.log"
done
echo "e2e $pass $fail $skip" >> "$tally"
[ "$fail" -eq 0 ]
