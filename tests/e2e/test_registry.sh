#!/bin/sh
# test_registry.sh - bench/list.h is the one list: every bench/*.c is in it,
# every entry has a file, each file exports exactly its descriptor, and
# `primbench list` shows every family.
. tests/e2e/lib.sh
set -u
listed=$(sed -n 's/^BENCH(\([a-z0-9_]*\))$/\1/p' bench/list.h | sort)
files=$(ls bench/*.c | sed 's,bench/,,; s,\.c$,,' | sort)
[ "$listed" = "$files" ] || fail "bench/list.h and bench/*.c differ: $(echo "$listed" | tr '\n' ' ') vs $(echo "$files" | tr '\n' ' ')"
[ "$(echo "$listed" | uniq -d)" = "" ] || fail "a family is listed twice"
for f in $files; do
	# The descriptor is the only non-static definition at file scope.
	n=$(grep -Ec '^const struct bench_desc bench_'"$f"' = \{' "bench/$f.c")
	[ "$n" -eq 1 ] || fail "bench/$f.c must define 'const struct bench_desc bench_$f'"
	other=$(grep -E '^[a-z][a-z_ ]*[ *][a-z_0-9]+\(' "bench/$f.c" | grep -v '^static' || true)
	[ -z "$other" ] || fail "bench/$f.c has non-static functions: $other"
	grep -q "^$f " <<EOT || fail "primbench list lacks $f"
$("$PRIMBENCH" list)
EOT
done
echo "ok: $(echo "$files" | wc -l) families, one list"
