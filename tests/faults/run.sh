#!/bin/sh
# run.sh - run every tests/faults/test_*.sh (tests/run_scripts.sh), then
# print the hardening table the scripts filled (kill points, leaks, inputs,
# crashes).  ONLY=pattern runs the matching scripts only.
set -u
: "${CSVQ:?set CSVQ to build/csvq}"
tally=${TALLY:-build/test-tally}
mkdir -p "$(dirname "$tally")"
FAULTS_TABLE=$(cd "$(dirname "$tally")" && pwd)/faults-table
: > "$FAULTS_TABLE"
export FAULTS_TABLE
start=$(date +%s)
sh tests/run_scripts.sh faults tests/faults
rc=$?
echo "faults: hardening table ($(( $(date +%s) - start ))s)"
awk '{ if ($1 ~ /_max$/) { if (!($1 in v) || $2 > v[$1]) v[$1] = $2 } else v[$1] += $2
       if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
     END { for (i = 0; i < n; i++) printf "  %-28s %s\n", order[i], v[order[i]] }' "$FAULTS_TABLE"
exit $rc
