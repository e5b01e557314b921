# faults/lib.sh - helpers for the fault scripts (sourced after tests/e2e/lib.sh).
#
# Families and variants are discovered from `primbench list`, never named
# here: the scripts work with whatever bench/list.h holds when they run.
#
# Isolation (faults_isolate): as root, or where unprivileged user namespaces
# work, a script re-runs itself in a private IPC and mount namespace with
# fresh tmpfs on /tmp, /var/tmp and /dev/shm and its own mqueue mount.  A
# SysV object, POSIX shm/sem/mq entry or temporary file left by primbench is
# then unambiguously ours, and other engineers' tests running beside us on
# one host can neither hide a leak nor fake one.  Without namespaces the
# checks compare global listings before and after, and /tmp is not checked.

# The repository (scripts are started from its root, then cd elsewhere).
FAULTS_REPO=${FAULTS_REPO:-$(pwd)}
export FAULTS_REPO

# table KEY VALUE: one row of the hardening table (tests/faults/run.sh prints
# it: values of one key are added up, or for keys ending in _max the largest
# is kept).
table() { [ -n "${FAULTS_TABLE:-}" ] && echo "$1 $2" >> "$FAULTS_TABLE"; return 0; }

# pb_families: the benchmark families, in run order.
pb_families() {
	"$PRIMBENCH" list | awk '/^placements/ { exit } /^[a-z0-9_]+ - / { print $1 }'
}

# pb_variants FAMILY: its variants, in run order.
pb_variants() {
	"$PRIMBENCH" list | awk -v f="$1" '
		/^placements/ { exit }
		/^[^ ]/ { cur = $1; next }
		cur == f && /^  [^ ]/ { print $1 }'
}

# pb_injectable FAMILY: true if the family supports PRIMBENCH_INJECT (its
# source calls bench_inject or documents the variable) or is one of the
# families the hardening issue requires to (FAULTS_REQUIRED).
FAULTS_REQUIRED="sched_switch ipc_pipe ipc_shm signal sem"
pb_injectable() {
	case " $FAULTS_REQUIRED " in *" $1 "*) return 0 ;; esac
	[ -f "$FAULTS_REPO/bench/$1.c" ] && grep -Eq 'bench_inject|PRIMBENCH_INJECT' "$FAULTS_REPO/bench/$1.c"
}

# faults_rand LO HI N: the N-th random decimal in [LO, HI] of the stream
# FAULTS_SEED names (N, since $(...) cannot advance a counter).
FAULTS_SEED=${FAULTS_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
faults_rand() {
	awk -v s="$FAULTS_SEED" -v n="$3" -v lo="$1" -v hi="$2" \
		'BEGIN { srand(s * 7919 + n); printf "%.2f\n", lo + (hi - lo) * rand() }'
}

# faults_running PID: true while PID (a child of ours) has not exited; a
# zombie waiting for our wait has.
faults_running() {
	[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ] && kill -0 "$1" 2>/dev/null
}

# faults_isolate "$@": re-run the calling script in private namespaces (see
# above).  Returns in the namespace (FAULTS_NS=1, WORK and TMPDIR inside it)
# or, when namespaces are not available, in the caller (FAULTS_NS=0).
# faults_keep_dirs: the folders the test needs (the repository, the
# binaries') that lie under /tmp or /var/tmp, one per line.
faults_keep_dirs() {
	for d in "$FAULTS_REPO" "$(dirname "$PRIMBENCH")" "$(dirname "$CSVQ")"; do
		case "$d" in /tmp | /tmp/* | /var/tmp | /var/tmp/*) echo "$d" ;; esac
	done | sort -u
}

# faults_mount_fresh_tmp: fresh tmpfs on /tmp and /var/tmp in this mount
# namespace.  Folders the test needs that lie under them (a checkout in
# /tmp) are parked on a tmpfs at /mnt first and bound back at their paths.
faults_mount_fresh_tmp() {
	keep=$(faults_keep_dirs)
	if [ -n "$keep" ]; then
		[ -d /mnt ] && mount -t tmpfs none /mnt || return 1
		i=0
		for d in $keep; do
			i=$((i + 1))
			mkdir "/mnt/$i" && mount --bind "$d" "/mnt/$i" || return 1
		done
	fi
	mount -t tmpfs -o mode=1777 none /tmp && mount -t tmpfs -o mode=1777 none /var/tmp || return 1
	i=0
	for d in $keep; do
		i=$((i + 1))
		mkdir -p "$d" && mount --bind "/mnt/$i" "$d" || return 1
	done
}

faults_isolate() {
	case "$PRIMBENCH:$CSVQ:$FAULTS_REPO" in *" "*)
		fail "PRIMBENCH, CSVQ and the repository path must not contain spaces" ;;
	esac
	if [ "${FAULTS_NS:-}" = inner ]; then
		faults_mount_fresh_tmp &&
		mount -t tmpfs -o mode=1777 none /dev/shm &&
		mkdir /tmp/.mq && mount -t mqueue none /tmp/.mq || {
			echo "FAIL: cannot set up the namespace's mounts"; exit 1; }
		# The pid makes the results paths unique on the host, since the
		# process check matches command lines that name them.
		FAULTS_NS=1 WORK=/tmp/work-$$ TMPDIR=/tmp
		mkdir -p "$WORK" && chmod 711 "$WORK"
		export FAULTS_NS WORK TMPDIR
		return 0
	fi
	if [ -z "${FAULTS_NS:-}" ] && command -v unshare >/dev/null; then
		userns=""
		[ "$(id -u)" = 0 ] || userns="-r"
		# shellcheck disable=SC2086
		if unshare $userns --ipc --mount true 2>/dev/null; then
			FAULTS_NS=inner exec unshare $userns --ipc --mount --propagation private sh "$0" "$@"
		fi
	fi
	FAULTS_NS=0
	export FAULTS_NS
	echo "note: no private namespaces: global before/after listings, /tmp not checked"
}

# faults_objects: one line per kernel object or file that could be ours.
faults_objects() {
	ipcs -m 2>/dev/null | awk '/^0x/ { print "sysv-shm:" $2 }'
	ipcs -q 2>/dev/null | awk '/^0x/ { print "sysv-msg:" $2 }'
	ipcs -s 2>/dev/null | awk '/^0x/ { print "sysv-sem:" $2 }'
	ls -A /dev/shm 2>/dev/null | sed 's,^,/dev/shm/,'
	if [ "$FAULTS_NS" = 1 ]; then
		ls -A /tmp/.mq | sed 's,^,mqueue:,'
		# shellcheck disable=SC2010 # names are only compared, never used as paths
		ls -A /tmp | grep -vx -e "${WORK#/tmp/}" -e .mq | sed 's,^,/tmp/,'
		ls -A /var/tmp | sed 's,^,/var/tmp/,'
	else
		ls -A /dev/mqueue 2>/dev/null | sed 's,^,mqueue:,'
	fi
}

# faults_procs OUT SID: live (non-zombie) processes of the run: in session
# SID, or forked from it (their arguments still name OUT).  Both must be
# set: an empty pattern would match every process on the host.
faults_procs() {
	[ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 1 ] || fail "faults_procs: empty OUT or SID"
	(
		FAULTS_OUT=$1 FAULTS_SID=$2
		export FAULTS_OUT FAULTS_SID
		ps -e -o pid=,sid=,stat=,args= 2>/dev/null | awk '
			BEGIN { out = ENVIRON["FAULTS_OUT"]; sid = ENVIRON["FAULTS_SID"]
				if (out == "" || sid == "") exit 1 }
			$3 ~ /^Z/ { next }
			$2 == sid || index($0, out) > 0 { print $1 }'
	)
}

# faults_kill_left PIDS...: SIGKILL leftovers, but only processes that are
# primbench's (their command line names it): never anything else on the host.
faults_kill_left() {
	for fk_pid in "$@"; do
		[ "$fk_pid" -gt 1 ] && [ "$fk_pid" != $$ ] || continue
		case "$(tr '\0' ' ' < "/proc/$fk_pid/cmdline" 2>/dev/null)" in
		*primbench*) kill -9 "$fk_pid" 2>/dev/null ;;
		esac
	done
}

# faults_launch OUT PIDFILE ARGS...: start `primbench ARGS` as a session
# leader in the background, its pid in PIDFILE (the session id is the pid).
# The caller's $! is the pid to wait for.
faults_launch() {
	faults_pidfile=$2
	shift 2
	rm -f "$faults_pidfile"
	# shellcheck disable=SC2016
	setsid sh -c 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0"; exec "$@"' "$faults_pidfile" "$PRIMBENCH" "$@" &
	faults_bg=$!
	# The pid file is the handshake (written whole, then renamed): wait for
	# it as long as the job lives, however slowly the machine starts it.
	while [ ! -s "$faults_pidfile" ] && faults_running "$faults_bg"; do sleep 0.01; done
	# setsid forks only when called as a group leader, which a background
	# job of a non-interactive shell is not; then $! is primbench itself.
	[ "$(cat "$faults_pidfile" 2>/dev/null)" = "$faults_bg" ] ||
		fail "setsid forked: cannot wait for primbench's exit status"
}

# faults_debris OUT SID BEFORE: print every leftover of the run (processes
# still there after FAULTS_GRACE (60) s for PDEATHSIG to act, objects not in
# the BEFORE listing); returns how many kinds were found, and kills what is
# left.  The processes are waited for, not given a fixed time: the loop
# ends as soon as they are gone, and the grace only bounds a real leak (a
# process that stays), far above any clean-up on a slow or loaded machine
# (a supervising child caught inside one long system call, such as
# MADV_POPULATE_WRITE of a 1 GiB sweep point, only runs its SIGTERM handler
# when the call returns).  faults_cleanup_ds says how long it took, in
# tenths of a second (reported, never judged).
faults_debris() {
	fd_out=$1 fd_sid=$2 fd_before=$3 fd_n=0
	i=0
	while [ $i -lt $(( ${FAULTS_GRACE:-60} * 10 )) ]; do
		fd_left=$(faults_procs "$fd_out" "$fd_sid")
		[ -z "$fd_left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	# How long the run's processes took to go, in tenths of a second.
	# shellcheck disable=SC2034 # read by the caller
	faults_cleanup_ds=$i
	if [ -n "$fd_left" ]; then
		echo "debris: processes left: $(echo $fd_left)"
		# shellcheck disable=SC2086
		ps -o pid,stat,args -p "$(echo $fd_left | tr ' ' ,)" 2>/dev/null | sed 's/^/    /'
		# shellcheck disable=SC2086
		faults_kill_left $fd_left
		fd_n=$((fd_n + 1))
	fi
	faults_objects | sort > "$fd_before.after"
	fd_new=$(sort "$fd_before" | comm -13 - "$fd_before.after")
	if [ -n "$fd_new" ] && [ "$FAULTS_NS" != 1 ]; then
		# Globally, another process's object may come and go: keep what stays.
		sleep 1
		faults_objects | sort > "$fd_before.after"
		fd_new=$(echo "$fd_new" | sort | comm -12 - "$fd_before.after")
	fi
	if [ -n "$fd_new" ]; then
		echo "debris: objects left: $(echo $fd_new)"
		fd_n=$((fd_n + 1))
	fi
	rm -f "$fd_before.after"
	return $fd_n
}

# faults_results OUT [killed]: every CSV of every run folder under OUT parses
# and ends with a whole row, and every folder has a meta.csv that says
# complete=true or false; with "killed", a folder with the .partial name may
# lack meta only if it holds no CSV yet (primbench died inside output_open).
# Prints problems; returns their count.
faults_results() {
	fr_out=$1 fr_n=0
	[ -d "$fr_out" ] || return 0
	for fr_d in "$fr_out"/* "$fr_out"/.[!.]*; do
		[ -d "$fr_d" ] || continue
		for fr_f in "$fr_d"/*.csv; do
			[ -f "$fr_f" ] || continue
			if ! csvq "$fr_f" >/dev/null 2>"$WORK/fr.err"; then
				echo "bad CSV: $(cat "$WORK/fr.err")"
				fr_n=$((fr_n + 1))
			elif [ -n "$(tail -c 1 "$fr_f")" ]; then
				# The writer ends every row with LF: a file that does
				# not was cut mid-row, maybe inside its last number.
				echo "$fr_f ends in half a row"
				fr_n=$((fr_n + 1))
			fi
		done
		if [ ! -f "$fr_d/meta.csv" ]; then
			case "$fr_d:${2:-}" in
			*.partial:killed)
				if ls "$fr_d"/summary.csv "$fr_d"/samples.csv >/dev/null 2>&1; then
					echo "no meta.csv in $fr_d, which has rows"
					fr_n=$((fr_n + 1))
				fi ;;
			*) echo "no meta.csv in $fr_d"; fr_n=$((fr_n + 1)) ;;
			esac
			continue
		fi
		fr_c=$(csvq "$fr_d/meta.csv" value key=complete 2>/dev/null)
		case "$fr_c" in
		true | false) ;;
		*) echo "meta complete='$fr_c' in $fr_d"; fr_n=$((fr_n + 1)) ;;
		esac
	done
	rm -f "$WORK/fr.err"
	return $fr_n
}

# faults_started LOG: distinct configurations that started, from a
# --progress LOG ("config i/n round r/R elapsed T ETA T: bench/variant x
# @placement" per visit; with rounds a configuration is visited more than
# once).
faults_started() {
	grep '^config ' "$1" | sed 's/^config [^:]*: //' | sort -u | wc -l
}

# faults_configs DIR: distinct configurations with rows in DIR/summary.csv
# (the ns_per_mib fit rows are per sweep, not configurations).
faults_configs() {
	for fc_c in bench variant x placement metric; do
		csvq "$1/summary.csv" "$fc_c" > "$WORK/fc.$fc_c" 2>/dev/null
	done
	paste -d '|' "$WORK/fc.bench" "$WORK/fc.variant" "$WORK/fc.x" "$WORK/fc.placement" \
		"$WORK/fc.metric" |
		awk -F '|' '$5 != "ns_per_mib" { print $1, $2, $3, $4 }' | sort -u | wc -l
	rm -f "$WORK/fc.bench" "$WORK/fc.variant" "$WORK/fc.x" "$WORK/fc.placement" "$WORK/fc.metric"
}
