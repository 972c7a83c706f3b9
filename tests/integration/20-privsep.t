#!/bin/sh
# Every child runs as its role's user, chrooted, with no new privileges,
# a seccomp filter, no capability but fwd's CAP_NET_ADMIN, only sockets
# for file descriptors and no writable+executable mapping: read from /proc.
. "$(dirname "$0")/lib.sh"

rt_setup || { echo "Bail out! runtime set-up failed"; exit 1; }
start_trunkd
wait_started
ok $? "trunkd starts: all children configured, locked down and started"

status=$(ctl status)
diag "$status"
echo "$status" | grep -q '^parent ' ; ok $? "trunkctl status lists the parent"

field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' \
    "/proc/$2/status"; }

for role in webd dbd fwd astd; do
	case $role in
	webd) id=$WEB_UID dir=web caps=0000000000000000 ;;
	dbd) id=$DB_UID dir=db caps=0000000000000000 ;;
	fwd) id=0 dir=fw caps=0000000000001000 ;;
	astd) id=$AST_UID dir=ast caps=0000000000000000 ;;
	esac
	pid=$(child_pid $role)
	[ -n "$pid" ] && [ -d "/proc/$pid" ]
	ok $? "$role: running (pid ${pid:-?})"
	[ "$(field Uid "$pid")" = "$id $id $id $id" ]
	ok $? "$role: Uid all four $id"
	[ "$(field Gid "$pid")" = "$id $id $id $id" ]
	ok $? "$role: Gid all four $id"
	[ "$(field Groups "$pid" | tr -d ' ')" = "$id" ]
	ok $? "$role: supplementary groups only $id"
	[ "$(field NoNewPrivs "$pid")" = 1 ]; ok $? "$role: NoNewPrivs 1"
	[ "$(field Seccomp "$pid")" = 2 ]; ok $? "$role: Seccomp 2 (filter)"
	capok=0
	for c in CapEff CapPrm CapBnd; do
		[ "$(field $c "$pid")" = $caps ] || { capok=1; diag "$c $(field $c "$pid")"; }
	done
	[ "$(field CapAmb "$pid")" = 0000000000000000 ] || capok=1
	[ "$(field CapInh "$pid")" = 0000000000000000 ] || capok=1
	ok $capok "$role: CapEff/CapPrm/CapBnd $caps, CapAmb and CapInh 0"
	[ "$(readlink "/proc/$pid/root")" = "$RT/chroot/$dir" ]
	ok $? "$role: root is its chroot $RT/chroot/$dir"
	# Sockets, and libevent's epoll fd and internal signal pipe: nothing
	# that names a file or a directory outside the chroot (which could
	# lead out of it; astd keeps its own config directory open).
	fds=$(for f in /proc/$pid/fd/*; do readlink "$f"; done)
	bad=$(echo "$fds" | grep -v -e '^socket:' -e '^anon_inode:\[eventpoll\]$' -e '^pipe:' -e "^$RT/chroot/$dir/")
	[ -z "$bad" ] && [ $(echo "$fds" | grep -c '^pipe:') -le 2 ] &&
	    [ $(echo "$fds" | grep -c '^socket:') -ge 4 ]
	ok $? "$role: only sockets (and libevent's epoll fd and pipe) open${bad:+ (also: $bad)}"
	! grep -q ' rwx' "/proc/$pid/maps"; ok $? "$role: no rwx mapping"
	echo "$status" | awk -v r=$role '$1 == r && $5 == "filter" && $6 == "yes"' | grep -q .
	ok $? "$role: trunkctl status shows seccomp filter and no-new-privs"
done

echo "$status" | awk '$1 == "fwd" && $7 == "cap_net_admin"' | grep -q .
ok $? "trunkctl status shows fwd with cap_net_admin only"

ctl reload >/dev/null
ok $? "trunkctl reload succeeds"
grep -q 'configuration reloaded' "$RT/trunkd.log"
ok $? "reload logged"

kill -HUP "$TRUNKD_PID"
wait_for 5 sh -c "[ \$(grep -c 'configuration reloaded' '$RT/trunkd.log') -ge 2 ]"
ok $? "SIGHUP reloads too"

# A broken configuration on reload is refused and the old one stays.
cp "$RT/etc/trunkd.conf" "$RT/good.conf"
echo "bogus keyword" >> "$RT/etc/trunkd.conf"
! ctl reload >/dev/null 2>&1; ok $? "reload with a bad configuration fails"
cp "$RT/good.conf" "$RT/etc/trunkd.conf"
chmod 0600 "$RT/etc/trunkd.conf"
ctl status | awk '$1 ~ /^(webd|dbd|fwd|astd)$/' | wc -l | grep -qx 4
ok $? "all four children still run after the refused reload"

pids=$(ctl status | awk 'NR > 1 { print $2 }')
kill -TERM "$TRUNKD_PID"
wait "$TRUNKD_PID"; rc=$?
[ $rc -eq 0 ]; ok $? "SIGTERM: orderly stop, exit 0 (got $rc)"
TRUNKD_PID=
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
[ -z "$left" ]; ok $? "no process left after stop${left:+:$left}"
done_testing
