# lib.sh - helpers for end-to-end tests (sourced).
# fail MSG: print and exit 1.  check DESC CMD...: run CMD, fail with DESC.
fail() { echo "FAIL: $*"; exit 1; }
check() { desc=$1; shift; if "$@"; then echo "ok: $desc"; else fail "$desc"; fi; }
# col FILE NAME: 1-based index of a header column of a CSV file.
col() { head -n 1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# run_dir PARENT: the single run folder under PARENT.
run_dir() { ls -d "$1"/*/ 2>/dev/null | head -n 1 | sed 's,/$,,'; }
# no_debris: no primbench process, no /dev/shm or mqueue entry of ours, no SysV object.
no_debris() {
	sleep 0.2
	# Our runs carry $WORK in their command line (--out $WORK/...), and so do
	# their forked children; in CI nothing else runs, so any primbench counts.
	# Zombies do not count: they have exited, and only wait for whoever
	# adopted them (primbench itself, or init once primbench was killed).
	left=$(pgrep -r R,S,D,T,t,W,I -f -- "$WORK")
	if [ -n "$left" ]; then echo "left processes: $(ps -o pid=,stat=,args= -p "$(echo $left | tr ' ' ,)")"; return 1; fi
	if [ "${CI:-}" = true ] && pgrep -r R,S,D,T,t,W,I -x primbench >/dev/null; then
		echo "left processes: $(pgrep -a -r R,S,D,T,t,W,I -x primbench)"; return 1
	fi
	if ls /dev/shm /dev/mqueue 2>/dev/null | grep -q primbench; then echo "left /dev/shm or mqueue entries"; return 1; fi
	n=$(ipcs -q -m -s 2>/dev/null | grep -cE '^0x')
	[ "$n" -le "${SYSV_BEFORE:-0}" ] || { echo "SysV objects: $n (before: ${SYSV_BEFORE:-0})"; return 1; }
}
SYSV_BEFORE=$(ipcs -q -m -s 2>/dev/null | grep -cE '^0x')
# csvq FILE [COL|-n] [NAME=VALUE...]: query a CSV with primbench's own reader
# (quoted notes with commas are read right); see tests/tools/csvq.c.
csvq() { "${CSVQ:?set CSVQ to build/csvq}" "$@"; }
