#!/bin/sh
# The parent routes by the table alone: a webd that sends a firewall
# message, an unknown type or a wrong size is treated as hostile; the
# message never reaches fwd, and trunkd shuts down and says why.
. "$(dirname "$0")/lib.sh"

rogue=$TRUNKD_OBJ/tests/peers/rogue
[ -x "$rogue" ] || { echo "Bail out! $rogue not built"; exit 1; }

for mode in route unknown badlen; do
	lx=$RT/libexec-$mode/$mode
	mkdir -p "$lx"
	for r in dbd fwd astd; do cp "$TRUNKD_OBJ/libexec/$r" "$lx/"; done
	cp "$rogue" "$lx/webd"
done

rt_setup "$RT/libexec-route/route" || { echo "Bail out! set-up"; exit 1; }
conf=$RT/etc/trunkd.conf
for mode in route unknown badlen; do
	sed -i "s|^libexec .*|libexec \"$RT/libexec-$mode/$mode\"|" "$conf"
	start_trunkd
	wait_for 10 sh -c "! kill -0 $TRUNKD_PID"
	ok $? "$mode: trunkd shuts down"
	wait "$TRUNKD_PID"; rc=$?
	TRUNKD_PID=
	[ $rc -ne 0 ]; ok $? "$mode: exit status non-zero ($rc)"
	case $mode in
	route) want='rejected route webd -> fwd: FW_BAN (.*): route not allowed' ;;
	unknown) want='rejected route webd -> parent: unknown (9999): unknown message type' ;;
	badlen) want='rejected route webd -> parent: STATUS (.*): bad payload length' ;;
	esac
	grep -q "$want" "$RT/trunkd.log"; ok $? "$mode: the log names the rejected route"
	! grep -q '^fwd: .*FW_BAN' "$RT/trunkd.log"
	ok $? "$mode: fwd never saw the message"
	grep -q 'all processes configured' "$RT/trunkd.log"
	ok $? "$mode: the rogue got as far as START"
	cp "$RT/trunkd.log" "$RT/trunkd-$mode.log"
done
[ $tap_failed -eq 0 ] || cat "$RT"/trunkd-*.log | sed 's/^/# /'
done_testing
