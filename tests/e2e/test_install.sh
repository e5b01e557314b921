#!/bin/sh
# test_install.sh - what `make install` gives a packager, used from outside
# the source tree.
#
# Stages `make install PREFIX=/usr DESTDIR=$WORK/stage`, then:
#   - the binary, primbench-helper, csvq, the scripts of plots/, the man
#     page and the bash completion are where primbench(1) says;
#   - from a folder outside the tree, with no CSVQ or PRIMBENCH_DATADIR,
#     the staged primbench plot and report draw the committed fixture run
#     (tests/fixtures/plots) with the staged scripts and csvq (their --help
#     says which), every figure the report links exists as PNG and SVG;
#     bad input is one line on stderr, exit 2;
#   - moved elsewhere, the staged tree still finds its own files;
#   - `MANWIDTH=80 man --warnings -l` renders the page with no warning, and
#     its version is the binary's;
#   - every long option that each command's --help prints is in the page,
#     and so is every command (the page cannot drift from the program);
#   - the completion script loads in bash and completes commands, options
#     and --filter's benchmark names;
#   - `make uninstall` removes every file it installed.
# No benchmark runs, and no timing is asserted.
. tests/e2e/lib.sh
: "${WORK:?}"
command -v gnuplot >/dev/null || { echo "gnuplot not installed (make deps)"; exit 77; }
command -v parallel >/dev/null || { echo "GNU parallel not installed (make deps)"; exit 77; }
command -v man >/dev/null && command -v groff >/dev/null ||
	{ echo "man or groff not installed (make deps-test installs man-db, groff-base)"; exit 77; }
command -v bash >/dev/null || { echo "bash not installed"; exit 77; }

top=$(pwd)
# The build under test: the binary and build folder make test-e2e names.
prog=$(realpath "${PRIMBENCH:-$top/primbench}")
build=$(dirname "$(realpath "${CSVQ:-$top/build/csvq}")")
stage=$WORK/stage
check "make install into a staging folder" \
	make -s -C "$top" install PREFIX=/usr DESTDIR="$stage" PROG="$prog" BUILD="$build"
stage=$(realpath "$stage")
u=$stage/usr
man=$u/share/man/man1/primbench.1
comp=$u/share/bash-completion/completions/primbench
for f in bin/primbench libexec/primbench/primbench-helper libexec/primbench/csvq \
	share/primbench/render.sh share/primbench/report.sh; do
	check "installed: $f (executable)" [ -f "$u/$f" -a -x "$u/$f" ]
done
for f in "$top"/plots/*.gp; do
	check "installed: share/primbench/$(basename "$f")" cmp -s "$f" "$u/share/primbench/$(basename "$f")"
done
check "installed: primbench(1)" [ -s "$man" ]
check "installed: bash completion" [ -s "$comp" ]
echo "staged files:"
(cd "$stage" && find . -type f | sort | sed 's/^/    /')

# --- used from outside the tree ------------------------------------------------
away=$WORK/away
mkdir -p "$away"
cp -R "$top/tests/fixtures/plots" "$away/fx"
cd "$away" || fail "cd $away"
# spb ARGS...: the staged primbench, with nothing of the tree in its environment.
spb() { env -u CSVQ -u PRIMBENCH_DATADIR -u PRIMBENCH_HELPER "$u/bin/primbench" "$@"; }
spb plot --help > help.txt
check "plot --help names the staged scripts" grep -qxF "scripts: $u/share/primbench" help.txt
check "plot --help names the staged csvq" grep -qxF "csvq:    $u/libexec/primbench/csvq" help.txt
check "staged primbench plot draws the fixture" spb plot fx
check "staged primbench report writes REPORT.md" spb report fx
check "REPORT.md written" [ -s fx/REPORT.md ]
links=$(grep -o '!\[[^]]*\]([^)]*)' fx/REPORT.md | sed 's/.*](\(.*\))$/\1/')
check "the report links figures" [ -n "$links" ]
for l in $links; do
	check "figure $l is a PNG" [ "$(head -c 8 "fx/$l" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	check "figure ${l%.png}.svg exists" [ -s "fx/${l%.png}.svg" ]
done
check "the figures include proc_create_bars and compare" [ -f fx/plots/proc_create_bars.png -a -f fx/plots/compare.png ]
spb report fx -o - --link-prefix fx/ > TOP.md
for l in $(grep -o '!\[[^]]*\]([^)]*)' TOP.md | sed 's/.*](\(.*\))$/\1/'); do
	check "prefixed link $l resolves" [ -f "$l" ]
done
# Bad input: exit 2, one line on stderr, nothing on stdout or on disk.
for args in "plot" "plot nowhere" "plot fx fx" "report fx --bogus" "report fx -o nowhere/x" "plot --out x fx"; do
	# shellcheck disable=SC2086
	spb $args > out.txt 2> err.txt
	rc=$?
	check "'$args': exit 2 (got $rc)" [ "$rc" -eq 2 ]
	check "'$args': one line on stderr" [ "$(wc -l < err.txt)" -eq 1 ]
	check "'$args': nothing on stdout" [ ! -s out.txt ]
done
check "nothing made for a bad run folder" [ ! -e nowhere ]
PRIMBENCH_DATADIR=$away "$u/bin/primbench" plot fx 2> err.txt
check "a PRIMBENCH_DATADIR without the scripts: exit 2" [ $? -eq 2 ]
check "... and the message names it" grep -q "PRIMBENCH_DATADIR='$away'" err.txt

# Relocated (a tarball unpacked elsewhere): its own files, found again.
mv "$stage" "$WORK/moved"
env -u CSVQ -u PRIMBENCH_DATADIR "$WORK/moved/usr/bin/primbench" report --help > help.txt
check "moved: report --help names the moved scripts" grep -qxF "scripts: $WORK/moved/usr/share/primbench" help.txt
check "moved: and the moved csvq" grep -qxF "csvq:    $WORK/moved/usr/libexec/primbench/csvq" help.txt
mv "$WORK/moved" "$stage"

# --- the man page ------------------------------------------------------------------
MANWIDTH=80 man --warnings -l "$man" > man.txt 2> man.err
check "man -l renders the page" [ $? -eq 0 ]
check "man --warnings: no warnings ($(head -c 300 man.err))" [ ! -s man.err ]
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
	check "the page has $s" grep -qx "$s" man.txt
done
ver=$(spb --version | awk '{ print $2 }')
check "the page's version is the binary's ($ver)" grep -q "^\.TH PRIMBENCH 1 .*\"primbench $ver\"" "$man"
# The page's text with roff's \- as - and font changes dropped.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man" > man.src
cmds=$(spb --help | awk '/^commands:/ { on = 1; next } on && /^[^ ]/ { on = 0 } on && /^  [a-z]/ { print $1 }')
check "--help lists commands" [ -n "$cmds" ]
for c in $cmds; do
	check "the page describes command $c" grep -qx "\.B $c" "$man"
	spb "$c" --help > "help-$c.txt"
	check "$c --help exits 0" [ $? -eq 0 ]
	for o in $(grep -o -- '--[a-z][a-z0-9-]*' "help-$c.txt" | sort -u); do
		check "$c's $o is in the page" grep -qE -- "(^|[^a-z-])$o([^a-z0-9-]|\$)" man.src
	done
done
check "the page has --version" grep -qE -- '(^|[^a-z-])--version([^a-z-]|$)' man.src
# And where it belongs: each option the completion offers for a command
# (read from that command's own --help sections) is in the page's
# subsection for it (.SS "run options", "list and info options", ...);
# --help is under General.
for c in $cmds; do
	awk -v cmd="$c" '/^\.S[HS]/ { t = $0; gsub(/"/, "", t); on = t ~ /^\.SS/ && t ~ / options$/ &&
		(" " t " ") ~ (" " cmd " ") } on' man.src > "man-$c.src"
	for o in $(bash -c '. "$1"; _primbench_options "$2" "$3"' sh "$comp" "$u/bin/primbench" "$c"); do
		[ "$o" = --help ] && continue
		check "$c's $o is under \"$c options\" in the page" \
			grep -qE -- "(^|[^a-z-])$o([^a-z0-9-]|\$)" "man-$c.src"
	done
done

# --- bash completion -------------------------------------------------------------------
# complete WORD...: what _primbench offers for the last word, on one line.
complete_words() {
	PATH=$u/bin:$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _primbench; echo "${COMPREPLY[*]}"' \
		sh "$comp" "$@"
}
check "the completion loads and registers _primbench" \
	bash -c '. "$1" && complete -p primbench | grep -q _primbench' sh "$comp"
check "completes a command (re -> report)" [ "$(complete_words primbench re)" = report ]
got=$(complete_words primbench '')
for c in $cmds; do
	check "offers command $c" sh -c 'case " $1 " in *" $2 "*) ;; *) exit 1 ;; esac' sh "$got" "$c"
done
check "completes run's options (--fil -> --filter)" [ "$(complete_words primbench run --fil)" = --filter ]
check "completes report's options" sh -c 'case " $1 " in *" --link-prefix "*) ;; *) exit 1 ;; esac' \
	sh "$(complete_words primbench report fx --)"
got=$(complete_words primbench run --filter syscall_get)
check "--filter completes benchmark names ($got)" sh -c 'case " $1 " in *" syscall_getppid/getppid "*) ;; *) exit 1 ;; esac' sh "$got"
check "--x completes sweep names ($(complete_words primbench run --x rss))" [ "$(complete_words primbench run --x rss)" = rss_bytes= ]
check "--placement completes the last item" [ "$(complete_words primbench run --placement same-cpu,sing)" = same-cpu,single ]

# --- uninstall --------------------------------------------------------------------------
cd "$top" || fail "cd $top"
check "make uninstall" make -s uninstall PREFIX=/usr DESTDIR="$stage"
check "nothing installed is left ($(find "$stage" -type f | head -n 3))" [ -z "$(find "$stage" -type f)" ]
