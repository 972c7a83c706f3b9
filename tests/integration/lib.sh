# Shared by the integration scripts: TAP output, a private runtime tree
# (configuration, secrets, chroot directories) and a private network
# namespace in which trunkd runs, all removed on exit.
#
# The role users are unused numeric ids, so no user is added to the host.

: "${TRUNKD_OBJ:=$(cd "$(dirname "$0")/../../obj" && pwd)}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
WEB_UID=61001 DB_UID=61002 AST_UID=61004

tap_n=0
tap_failed=0
ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}
check() {	# check DESCRIPTION COMMAND...
	desc=$1; shift
	if "$@" >/dev/null 2>&1; then ok 0 "$desc"; else ok 1 "$desc"; fi
}
diag() { echo "$*" | sed 's/^/# /'; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip_all "needs root"

RT=$(mktemp -d /tmp/trunkd-test.XXXXXX)
chmod 0755 "$RT"
NS="trunkd-test-$$"
TRUNKD_PID=
cleanup() {
	if [ -n "$TRUNKD_PID" ] && kill -0 "$TRUNKD_PID" 2>/dev/null; then
		kill -TERM "$TRUNKD_PID" 2>/dev/null
		sleep 1
		kill -KILL "$TRUNKD_PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$RT"
}
trap cleanup EXIT INT TERM

# in_ns COMMAND...: run inside the test's network namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# rt_setup [LIBEXEC]: the runtime tree and the namespace.
rt_setup() {
	ip netns add "$NS" || return 1
	in_ns ip link set lo up
	sh "$TOP/tests/mkruntime.sh" "$RT" "${1:-$TRUNKD_OBJ/libexec}" \
	    "$WEB_UID:$WEB_UID" "$DB_UID:$DB_UID" "$AST_UID:$AST_UID"
}

# start_trunkd: in the namespace, in the foreground, log to $RT/trunkd.log.
# $TRUNKD_PID is trunkd itself: ip netns exec execs it in place.
start_trunkd() {
	(exec ip netns exec "$NS" "$TRUNKD_OBJ/trunkd" -d -v \
	    -f "$RT/etc/trunkd.conf" >"$RT/trunkd.log" 2>&1) &
	TRUNKD_PID=$!
}

ctl() { "$TRUNKD_OBJ/trunkctl" -s "$RT/run/trunkd.sock" "$@"; }

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
wait_for() {
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# wait_started: every child configured, locked down and started.
wait_started() {
	wait_for "${1:-10}" grep -q 'all processes configured' "$RT/trunkd.log"
}

# child_pid ROLE: from trunkctl status.
child_pid() {
	ctl status | awk -v r="$1" '$1 == r { print $2 }'
}

# done_testing: the plan comes last, after every test ran.
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ] || diag "$tap_failed of $tap_n failed"
	[ "$tap_failed" -eq 0 ]
}
