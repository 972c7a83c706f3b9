# Shared by the 8x-ast-*.t scripts: the AMI peer (tests/peers/ami_peer.py)
# and astd run alone under tests/peers/astd_parent, both inside the test's
# network namespace, with the runtime tree of lib.sh.
. "$(dirname "$0")/lib.sh"

AMI_PORT=5038
PEER_PID= PARENT_PID=
CTL="$RT/run/ami.ctl"
OUT="$RT/astd.out"
CONF="$RT/chroot/ast/conf"

ast_cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$PARENT_PID" ] && kill "$PARENT_PID" 2>/dev/null
	[ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null
	sleep 0.2
	cleanup
}
trap ast_cleanup EXIT INT TERM

# Both exec in place (not in_ns, a function: $! would be a subshell).
peer_start() {
	(exec ip netns exec "$NS" python3 "$TOP/tests/peers/ami_peer.py" \
	    --port "$AMI_PORT" --secret "$RT/etc/secrets/ami.secret" \
	    --pjsip "$CONF/pjsip_trunkd.conf" --control "$CTL" \
	    >>"$RT/peer.log" 2>&1) &
	PEER_PID=$!
	wait_for 5 test -S "$CTL"
}

peer() { python3 "$TOP/tests/peers/ami_peer.py" --control "$CTL" --send "$*"; }

# astd_start [astd_parent options]: astd alone; commands go to fd 7.
astd_start() {
	rm -f "$RT/astd.in"
	mkfifo "$RT/astd.in"
	(exec ip netns exec "$NS" "$TRUNKD_OBJ/tests/peers/astd_parent" \
	    -x "$TRUNKD_OBJ/libexec/astd" -c "$RT/chroot/ast" \
	    -u "$AST_UID" -g "$AST_UID" -s "$RT/etc/secrets/ami.secret" \
	    -p "$AMI_PORT" "$@" <"$RT/astd.in" >>"$OUT" 2>&1) &
	PARENT_PID=$!
	exec 7>"$RT/astd.in"
}

astd_stop() {
	echo quit >&7
	exec 7>&-
	wait_for 5 grep -q '^EXIT' "$OUT"
	PARENT_PID=
}

astd() { echo "$*" >&7; }

# seen PATTERN [SECONDS]: a line of astd's output matches (extended RE).
seen() { wait_for "${2:-5}" grep -Eq "$1" "$OUT"; }
count() { grep -Ec "$1" "$OUT"; }

# events FILE BLOCK...: write AMI event blocks (LF, blank-line separated).
security() {	# security EVENT ADDRESS SESSION
	printf 'Event: %s\nPrivilege: security,all\nEventTV: 2024-05-01T10:00:00.000+0000\nSeverity: Error\nService: PJSIP\nEventVersion: 1\nAccountID: 100\nSessionID: %s\nLocalAddress: IPV4/UDP/192.0.2.1/5060\nRemoteAddress: %s\n\n' "$1" "$3" "$2"
}
