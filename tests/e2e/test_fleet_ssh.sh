#!/bin/sh
# test_fleet_ssh.sh - ci/fleet against two real OpenSSH servers on this
# machine.  Each "host" is Debian's sshd in a network namespace of its own,
# reached over a veth pair from the root namespace, with a host key and a
# client key made here, root login by that key only; ci/fleet talks to them
# with the real ssh client (its --ssh is `ssh -F CONFIG`, the config naming
# the key, the port and a known_hosts file that holds exactly the two host
# keys, so host-key checking stays strict), as it does for remote machines.
# The real pipeline runs: the tree piped in over ssh, built and run there
# (--run-only, quick, null only, 2 rounds), the results piped back, compared.
# Checks: both folders come back and parse, each host's sshd logged the key
# login and the session ran in that host's folder (sshd's SetEnv TMPDIR), no
# temporary folder is left on either "host", and a third host name whose
# port has no sshd (connection refused, ssh exits 255) is reported as giving
# no results, with exit 1, while the two others still come back: in the
# same run, so the tree is built only twice.
#
# Needs root, ip netns + veth, sshd, ssh; skipped with the reason otherwise.
# Every wait is a bounded poll; the EXIT trap (also on INT and TERM, at
# once) kills the fleet run's session and every process in the two
# namespaces (by pid, from `ip netns pids`), deletes the namespaces (and so
# their veth ends) and removes the root-side veth ends, whatever happened.
# The folders are all under $WORK, which the runner removes.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
SSHD=/usr/sbin/sshd

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, a second sshd)"
for c in ip ssh ssh-keygen parallel; do
	command -v $c >/dev/null 2>&1 || skip "no $c (tests/deps.sh test installs it)"
done
[ -x $SSHD ] || skip "no $SSHD (apt-get install openssh-server)"

id=pbf$$
K=$WORK/ssh
mkdir -p "$K" "$WORK/hosts/a" "$WORK/hosts/b" "$WORK/out"
made_ns='' made_veth='' sshd_pids='' job=''

# Kill the fleet run if one is under way (its session, by id: ci/fleet,
# parallel, the ssh clients, which timeout puts in groups of their own) and
# what runs in our namespaces (sshd and the sessions' builds and runs), wait
# for that (bounded), then delete the namespaces and the veth ends.
cleanup() {
	# A second signal must not cut the cleanup short.
	trap '' INT TERM
	[ -n "$job" ] && pkill -TERM -s "$job" 2>/dev/null
	for ns in $made_ns; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	i=0
	while [ $i -lt 50 ]; do
		left=''
		for ns in $made_ns; do left="$left$(ip netns pids "$ns" 2>/dev/null)"; done
		[ -z "$left" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for ns in $made_ns; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	[ -n "$job" ] && pkill -KILL -s "$job" 2>/dev/null
	for p in $sshd_pids $job; do wait "$p" 2>/dev/null; done
	for ns in $made_ns; do ip netns del "$ns" 2>/dev/null; done
	for v in $made_veth; do ip link del "$v" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bounded SECS CMD...: CMD under timeout, in a session of its own (so the
# cleanup can end all of it), output to $WORK/stdout and $WORK/stderr.  It
# runs in the background and is waited for, because sh runs a trap only
# once its foreground command has ended: a TERM to this script cleans up
# at once, not after the fleet's timeout.
bounded() {
	b_secs=$1
	shift
	setsid timeout -k 5 "$b_secs" "$@" > "$WORK/stdout" 2> "$WORK/stderr" &
	job=$!
	wait "$job"
	b_rc=$?
	job=''
	return $b_rc
}

# A /24 of 10.251.0.0/16 that no interface here uses: host a is .2 (the root
# side .1), host b is .6 (the root side .5).
net=''
i=0
while [ $i -lt 256 ]; do
	n=$(( ($$ + i) % 256 ))
	ip -o -4 addr show | grep -q " 10\.251\.$n\." || { net=10.251.$n; break; }
	i=$((i + 1))
done
[ -n "$net" ] || skip "no free /24 in 10.251.0.0/16 for the test's veth pairs"

# Debian's sshd will not start without its privilege-separation folder
# ("Missing privilege separation directory: /run/sshd"), which the packaged
# service creates when it starts; where that service never ran, make it.
mkdir -p /run/sshd && chmod 755 /run/sshd

# Root's password field: sshd without PAM refuses an account locked with '!'
# even for key logins; with PAM the account stack decides (and key login of
# a locked root passes).  Without PAM where we can: no dependence on the
# host's PAM stack.
use_pam=no
case $(awk -F: '$1 == "root" { print $2 }' /etc/shadow 2>/dev/null) in '!'*) use_pam=yes ;; esac

ssh-keygen -q -t ed25519 -N '' -C primbench-fleet-test -f "$K/client" || fail "ssh-keygen failed"
cp "$K/client.pub" "$K/authorized_keys"
: > "$K/known_hosts"
port=2222
hosts=''
for h in a b; do
	ns=$id$h
	case $h in a) root_ip=$net.1 ip4=$net.2 ;; b) root_ip=$net.5 ip4=$net.6 ;; esac
	err=$(ip netns add "$ns" 2>&1) || skip "cannot create a network namespace: $err"
	made_ns="$made_ns $ns"
	err=$(ip link add "${ns}0" type veth peer name "${ns}1" 2>&1) || skip "cannot create a veth pair: $err"
	made_veth="$made_veth ${ns}0"
	err=$( { ip link set "${ns}1" netns "$ns" &&
		ip addr add "$root_ip/30" dev "${ns}0" && ip link set "${ns}0" up &&
		ip -n "$ns" addr add "$ip4/30" dev "${ns}1" && ip -n "$ns" link set "${ns}1" up &&
		ip -n "$ns" link set lo up; } 2>&1) || skip "cannot configure the veth pair: $err"

	ssh-keygen -q -t ed25519 -N '' -C "primbench-fleet-test-$h" -f "$K/host_$h" || fail "ssh-keygen failed"
	echo "[$ip4]:$port $(cut -d' ' -f1,2 "$K/host_$h.pub")" >> "$K/known_hosts"
	# StrictModes no: $K lies under /tmp, which is world-writable, and
	# StrictModes refuses an authorized_keys file below such a folder.
	# SetEnv TMPDIR: the session's mktemp -d lands in this host's folder,
	# so the test can see that nothing is left behind.
	cat > "$K/sshd_$h.conf" <<EOF
Port $port
ListenAddress $ip4
HostKey $K/host_$h
PidFile $K/sshd_$h.pid
AuthorizedKeysFile $K/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM $use_pam
StrictModes no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
SetEnv TMPDIR=$WORK/hosts/$h
LogLevel VERBOSE
EOF
	err=$($SSHD -t -f "$K/sshd_$h.conf" 2>&1) || fail "sshd rejects the test's config: $err"
	ip netns exec "$ns" $SSHD -D -e -f "$K/sshd_$h.conf" 2> "$K/sshd_$h.log" &
	sshd_pids="$sshd_pids $!"
	hosts="$hosts root@$ip4"
done

# "down" is host a's address on a port where nothing listens.  It comes
# first: for each option ssh takes the first value it reads.
cat > "$K/config" <<EOF
Host down
	HostName $net.2
	Port $((port + 1))
Host *
	Port $port
	IdentityFile $K/client
	IdentitiesOnly yes
	UserKnownHostsFile $K/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 5
	LogLevel ERROR
EOF
SSH="ssh -F $K/config"

# Ready: each sshd listens on its port (polled, at most 10 s), and a login by
# the key works; an sshd that exits first is the environment's refusal.
for h in a b; do
	ns=$id$h
	i=0
	until ip netns exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] || skip "sshd in a namespace exited at start: $(tail -n 1 "$K/sshd_$h.log")"
		[ $i -lt 100 ] || fail "sshd of host $h not listening after 10 s: $(tail -n 3 "$K/sshd_$h.log")"
		sleep 0.1
		i=$((i + 1))
	done
done
for host in $hosts; do
	# The remote shell expands the single-quoted words.
	# shellcheck disable=SC2086,SC2016
	out=$(timeout -k 2 20 $SSH "$host" 'echo "$(id -u) $TMPDIR"' 2>&1) ||
		fail "ssh $host: $out; sshd said: $(tail -n 3 "$K"/sshd_*.log)"
	case $out in "0 $WORK/hosts/"?) ;; *) fail "ssh $host: unexpected answer '$out'" ;; esac
done
echo "ok: two sshd in their own network namespaces take root by the test's key (UsePAM $use_pam)"

# The fleet over real ssh.
start=$(date +%s)
# shellcheck disable=SC2086
bounded 300 env TMPDIR="$WORK" ci/fleet --ssh "$SSH" --run-only --quick --filter '^null/' --run-args '--rounds 2' \
	--primbench "$P" --out "$WORK/out" $hosts down
rc=$?
secs=$(( $(date +%s) - start ))
cat "$WORK/stdout"
[ "$rc" -eq 1 ] || { tail -n 30 "$WORK/stderr"; fail "ci/fleet over ssh exited $rc after ${secs}s, expected 1 (host down)"; }
echo "fleet run of two ssh hosts and one down: ${secs}s"

fleet=$(ls -d "$WORK"/out/fleet_* 2>/dev/null)
for host in $hosts; do
	l=$(printf '%s' "$host" | tr -c 'A-Za-z0-9._-' '_')
	d=$(run_dir "$fleet/$l")
	[ -n "$d" ] || fail "no results folder for $host"
	for f in summary samples meta; do csvq "$d/$f.csv" >/dev/null || fail "$host: $f.csv does not parse"; done
	[ "$(csvq "$d/meta.csv" value key=complete)" = true ] || fail "$host: meta complete is not true"
	[ "$(csvq "$d/meta.csv" value key=rounds)" = 2 ] || fail "$host: meta rounds is not 2"
	[ "$(csvq "$d/summary.csv" -n bench=null metric=ns_per_op status=ok)" -eq 1 ] ||
		fail "$host: no ok ns_per_op row for null"
	grep -q "building and running in $WORK/hosts/" "$fleet/$l.log" || fail "$host: its log does not show the remote run"
	grep -q "^$host	exit 0" "$WORK/stderr" || fail "$host: no 'exit 0' line"
	grep -Eq "^ +$host +.*\(remote exit 0\)" "$WORK/stdout" || fail "$host: not listed with remote exit 0"
done
for h in a b; do
	left=$(ls "$WORK/hosts/$h")
	[ -z "$left" ] || fail "host $h: temporary folder left behind: $left"
	grep -q 'Accepted publickey for root' "$K/sshd_$h.log" || fail "host $h: sshd logged no key login"
done
echo "ok: both hosts' results came back over ssh and parse; no remote debris"
grep -Eq '^=== root@[0-9.]+ vs root@[0-9.]+: compare exit [013] ' "$WORK/stdout" ||
	fail "compare did not exit 0, 1 or 3"
echo "ok: cross-host comparison printed"
grep -Eq '^ +down +no results \(remote exit 255\)' "$WORK/stdout" || fail "the host without sshd is not reported"
grep -q 'Connection refused' "$fleet/down.log" || fail "ssh's own reason is not in the host's log"
echo "ok: a host with no sshd gives exit 1; the others still come back"
