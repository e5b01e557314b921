#!/bin/sh
# summary.sh - the closing line of `make test`: totals over every suite.
tally=${TALLY:-build/test-tally}
awk '{ p += $2; f += $3; s += $4 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 }' "$tally"
rc=$?
rm -f "$tally"
exit $rc
