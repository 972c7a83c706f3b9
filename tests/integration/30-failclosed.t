#!/bin/sh
# Fail closed: whichever child is killed, the parent and every other child
# are gone within a second, trunkd exits non-zero and the log says why.
. "$(dirname "$0")/lib.sh"

rt_setup || { echo "Bail out! runtime set-up failed"; exit 1; }
for role in webd dbd fwd astd; do
	start_trunkd
	wait_started
	ok $? "$role case: trunkd started"
	pids=$(ctl status | awk 'NR > 1 { print $2 }' | tr '\n' ' ')
	victim=$(child_pid $role)
	kill -KILL "$victim"
	gone=1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		alive=0
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && { gone=0; break; }
		sleep 0.1
	done
	ok $gone "$role killed: parent and all children gone within 1 s"
	wait "$TRUNKD_PID"; rc=$?
	[ $rc -ne 0 ]; ok $? "$role killed: trunkd exit status non-zero ($rc)"
	grep -q "$role (pid $victim) killed by signal 9" "$RT/trunkd.log"
	ok $? "$role killed: the log says which child died and how"
	TRUNKD_PID=
	cp "$RT/trunkd.log" "$RT/trunkd-$role.log"
done
done_testing
