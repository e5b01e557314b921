#!/bin/sh
# run_scripts.sh LABEL DIR - run every DIR/test_*.sh and tally the results.
#
# Each script gets PRIMBENCH (the binary), CSVQ (build/csvq), WORK (a fresh
# temporary folder, removed afterwards) and tests/e2e/lib.sh to source;
# exit 0 = pass, 77 = skipped (with a reason as its last line), anything
# else = fail, shown with its leak reports (LEAK/debris lines) and its last
# 40 lines.  ONLY=pattern runs the matching scripts only; VERBOSE=1
# shows every script's output.  Appends "LABEL pass fail skip" to the tally.
set -u
label=${1:?usage: run_scripts.sh LABEL DIR}
dir=${2:?usage: run_scripts.sh LABEL DIR}
: "${PRIMBENCH:?set PRIMBENCH to the binary}"
export PRIMBENCH CSVQ
tally=${TALLY:-build/test-tally}
mkdir -p "$(dirname "$tally")"
pass=0 fail=0 skip=0
for t in "$dir"/test_*.sh; do
	case "$t" in *"${ONLY:-}"*) ;; *) continue ;; esac
	WORK=$(mktemp -d /tmp/primbench-$label.XXXXXX)
	export WORK
	start=$(date +%s)
	sh "$t" > "$WORK.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "$label $t: ok (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "$label $t: skipped: $(tail -n 1 "$WORK.log")" ;;
	*) fail=$((fail + 1)); echo "$label $t: FAILED (rc=$rc, ${secs}s)"
	   # What a leak check found, however early (CI keeps only a tail).
	   grep -E '^(LEAK|debris)' "$WORK.log" | head -n 20 | sed 's/^/    early: /'
	   sed 's/^/    /' "$WORK.log" | tail -n 40 ;;
	esac
	[ -n "${VERBOSE:-}" ] && sed 's/^/    /' "$WORK.log"
	rm -rf "$WORK" "$WORK.log"
done
echo "$label $pass $fail $skip" >> "$tally"
[ "$fail" -eq 0 ]
