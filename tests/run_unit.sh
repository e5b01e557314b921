#!/bin/sh
# run_unit.sh BIN... - run the cmocka unit-test programs from the repository
# root (fixtures are found by relative path); tally into build/test-tally.
set -u
tally=${TALLY:-build/test-tally}
mkdir -p "$(dirname "$tally")"
pass=0 fail=0
for t in "$@"; do
	if "$t"; then
		pass=$((pass + 1)); echo "unit $t: ok"
	else
		fail=$((fail + 1)); echo "unit $t: FAILED"
	fi
done
echo "unit $pass $fail 0" >> "$tally"
[ "$fail" -eq 0 ]
