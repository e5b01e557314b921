#!/bin/sh
# test_registry.sh - bench/list.h is the one list: every bench/*.c is in it,
# every entry has a file, each file exports exactly its descriptor, and
# `primbench list` shows every family.  bench/lib/*.c are helpers of
# families (method several share, e.g. the IPC engine): they are in no list
# and define no descriptor, and every one is used by a family.
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
helpers=0
for h in bench/lib/*.c; do
	[ -e "$h" ] || continue
	helpers=$((helpers + 1))
	name=$(basename "$h" .c)
	# A helper is no family: no descriptor, no entry in the list.
	! grep -Eq '^const struct bench_desc ' "$h" || fail "$h defines a descriptor: a family belongs in bench/*.c"
	! grep -Eq "^BENCH\\($name\\)\$" bench/list.h || fail "$h is listed in bench/list.h: a helper is no family"
	# It has its header beside it, and some family includes it.
	[ -f "bench/lib/$name.h" ] || fail "$h has no bench/lib/$name.h"
	grep -lq "#include \"lib/$name.h\"" bench/*.c || fail "no family includes lib/$name.h"
done
echo "ok: $(echo "$files" | wc -l) families, one list; $helpers family helpers in bench/lib"
