# _csvq.sh - sourced by render.sh and report.sh (not a script of its own):
# sets csvq to primbench's CSV reader.  $CSVQ when set (primbench plot and
# report set it), else the tree's build/csvq, else a private copy built
# from the tree's sources into $tmp; without any, one line and exit 2.
# Needs: top (the source tree), tmp (a private folder), me (the script name).
csvq=${CSVQ:-$top/build/csvq}
if [ ! -x "$csvq" ]; then
	csvq=$tmp/csvq
	${CC:-cc} -O2 -std=gnu11 -D_GNU_SOURCE -I"$top/harness" -o "$csvq" \
		"$top/tests/tools/csvq.c" "$top/harness/csv.c" 2>/dev/null ||
		{ echo "$me: cannot build csvq (run make first, or set CSVQ)" >&2; exit 2; }
fi
