#!/bin/sh
# fwd's table with real packets: fwd alone (fwdrive plays the parent and
# dbd) in the appliance namespace, a sender in an outside namespace.
# SIP (UDP and TCP) and RTP pass from trunk networks only, the admin port
# from admin networks only, bans drop everything and end with an unban or
# their timeout, the flood limit cuts a burst, deltas move networks in
# and out; IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fwlib.sh"

command -v python3 >/dev/null || skip_all "needs python3"
ip netns add "$NS" && in_ns ip link set lo up && fw_net_setup ||
    { echo "Bail out! network set-up"; exit 1; }
fw_listen 5060 8443 || { echo "Bail out! listener"; exit 1; }
drv_start -a 203.0.113.0/24 -a 2001:db8:a::/48 ||
    { cat "$RT/drv"; echo "Bail out! fwdrive"; exit 1; }

in_ns nft list chain inet trunkd input >/dev/null
ok $? "table inet trunkd created before any snapshot"
# Before the snapshot, nobody is a trunk: SIP is closed.
udp_reaches $TRUNK4 $APP4 5060 pre1
[ $? -ne 0 ]; ok $? "SIP closed before the snapshot"

drv begin 1
drv trunk 192.0.2.0/24 2001:db8:1::/48
drv end
grep -q 'snapshot 1 applied: 2 trunk networks' "$RT/drv"
ok $? "snapshot applied"

# ---- SIP over UDP and TCP, RTP, the admin port ----
udp_reaches $TRUNK4 $APP4 5060 t4
ok $? "UDP 5060 from a trunk address reaches the listener"
before=$(counter sip_udp_deny4)
udp_reaches $STRANGER4 $APP4 5060 s4
[ $? -ne 0 ]; ok $? "UDP 5060 from a stranger is dropped"
[ "$(counter sip_udp_deny4)" -gt "$before" ]
ok $? "counter sip_udp_deny4 grew ($before -> $(counter sip_udp_deny4))"
send tcp $TRUNK4 $APP4 5060
ok $? "TCP 5060 from a trunk address connects"
before=$(counter sip_tcp_deny4)
send tcp $STRANGER4 $APP4 5060
[ $? -ne 0 ]; ok $? "TCP 5060 from a stranger does not"
[ "$(counter sip_tcp_deny4)" -gt "$before" ]; ok $? "counter sip_tcp_deny4 grew"
udp_reaches $TRUNK4 $APP4 10000 rtp4
ok $? "RTP from a trunk address passes"
udp_reaches $STRANGER4 $APP4 10000 rtps4
[ $? -ne 0 ]; ok $? "RTP from a stranger is dropped"
send tcp $ADMIN4 $APP4 8443
ok $? "admin port from an admin network connects"
before=$(counter admin_deny4)
send tcp $TRUNK4 $APP4 8443
[ $? -ne 0 ]; ok $? "admin port from a trunk (not admin) address does not"
[ "$(counter admin_deny4)" -gt "$before" ]; ok $? "counter admin_deny4 grew"
udp_reaches $STRANGER4 $APP4 9999 other4
ok $? "other ports are left alone"

udp_reaches $TRUNK6 $APP6 5060 t6
ok $? "IPv6: UDP 5060 from a trunk address reaches the listener"
before=$(counter sip_udp_deny6)
udp_reaches $STRANGER6 $APP6 5060 s6
[ $? -ne 0 ]; ok $? "IPv6: UDP 5060 from a stranger is dropped"
[ "$(counter sip_udp_deny6)" -gt "$before" ]; ok $? "counter sip_udp_deny6 grew"
send tcp $TRUNK6 $APP6 5060
ok $? "IPv6: TCP 5060 from a trunk address connects"
send tcp $STRANGER6 $APP6 5060
[ $? -ne 0 ]; ok $? "IPv6: TCP 5060 from a stranger does not"
send tcp $ADMIN6 $APP6 8443
ok $? "IPv6: admin port from an admin network connects"
send tcp $STRANGER6 $APP6 8443
[ $? -ne 0 ]; ok $? "IPv6: admin port from a stranger does not"

# ---- bans ----
udp_reaches $BAN4 $APP4 9999 preban4
ok $? "before its ban, an address reaches any port"
drv fwban 11 $BAN4 300 test
grep -q '^result 11 0 banned 198.51.100.20 for 300 s' "$RT/drv"
ok $? "ban answered with FW_RESULT"
before=$(counter ban4)
udp_reaches $BAN4 $APP4 9999 ban4a
[ $? -ne 0 ]; ok $? "a banned address is dropped on any port"
[ "$(counter ban4)" -gt "$before" ]; ok $? "counter ban4 grew"
drv fwunban 12 $BAN4
grep -q '^result 12 0 unbanned' "$RT/drv"; ok $? "unban answered"
udp_reaches $BAN4 $APP4 9999 unban4
ok $? "after the unban it passes again"
drv fwban 13 $BAN4 2 short
udp_reaches $BAN4 $APP4 9999 short4
[ $? -ne 0 ]; ok $? "a 2-second ban drops"
sleep 2.5
udp_reaches $BAN4 $APP4 9999 expired4
ok $? "... and passes once it timed out"

drv fwban 14 $BAN6 300 test6
udp_reaches $BAN6 $APP6 9999 ban6a
[ $? -ne 0 ]; ok $? "IPv6: a banned address is dropped"
drv fwunban 15 $BAN6
udp_reaches $BAN6 $APP6 9999 unban6
ok $? "IPv6: passes after the unban"
drv fwban 16 2001:db8:99::/48 2 prefix6
udp_reaches $STRANGER6 $APP6 9999 p6
[ $? -ne 0 ]; ok $? "IPv6: a banned /48 drops its addresses"
sleep 2.5
udp_reaches $STRANGER6 $APP6 9999 p6b
ok $? "IPv6: ... until the prefix ban times out"

drv fwban 17 198.51.100.0/24 300 prefix4
udp_reaches $STRANGER4 $APP4 9999 p4
[ $? -ne 0 ]; ok $? "a banned /24 drops its addresses"
drv fwunban 18 198.51.100.0/24
udp_reaches $STRANGER4 $APP4 9999 p4b
ok $? "... and lets them pass after its unban"

# ---- refusals ----
drv fwban 21 $TRUNK4 300 nope
grep -q '^result 21 1 refused: 192.0.2.10 is never banned: it meets a trunk network 192.0.2.0/24' "$RT/drv"
ok $? "a ban inside a trunk network is refused and reported (EPERM)"
grep -q 'log: ban refused: 192.0.2.10' "$RT/drv"; ok $? "... and logged"
in_ns nft list set inet trunkd ban4 | grep -q 192.0.2.10
[ $? -ne 0 ]; ok $? "... and not in the ban set"
drv fwban 22 $ADMIN6 300 nope
grep -q '^result 22 1 refused: .*admin network 2001:db8:a::/48' "$RT/drv"
ok $? "a ban inside an admin network is refused"
drv fwban 23 $APP4 300 nope
grep -q "^result 23 1 refused: .*host's own addresses" "$RT/drv"
ok $? "a ban of the host's own address is refused"
drv fwban 24 198.51.0.0/16 300 wide
grep -q '^result 24 22 refused: .*wider than the widest ban allowed (/24)' "$RT/drv"
ok $? "a ban wider than the maximum prefix is refused (EINVAL)"

# ---- flood limit: 300 datagrams at once, 50/s with a burst of 100 ----
before=$(counter sip_udp_flood4)
send udp $TRUNK4 $APP4 5060 300 flood
sleep 0.5
n=$(heard udp 5060 $TRUNK4 flood)
[ "$n" -ge 90 ] && [ "$n" -lt 200 ]
ok $? "a burst of 300 from one trunk source is cut to about 100 ($n)"
[ "$(counter sip_udp_flood4)" -gt "$before" ]; ok $? "counter sip_udp_flood4 grew"

# ---- deltas ----
drv fwban 31 $BAN4 300 again
drv add trunk 198.51.100.0/24
grep -q 'ban of 198.51.100.20 lifted: .*trunk network 198.51.100.0/24' "$RT/drv"
ok $? "a new trunk network lifts the bans inside it"
udp_reaches $STRANGER4 $APP4 5060 d1
ok $? "an added trunk network reaches SIP"
drv add trunk 198.51.100.0/24
drv del trunk 198.51.100.0/24
udp_reaches $STRANGER4 $APP4 5060 d2
ok $? "a network added twice stays after one delete"
drv del trunk 198.51.100.0/24
udp_reaches $STRANGER4 $APP4 5060 d3
[ $? -ne 0 ]; ok $? "... and goes with the second"
drv add admin 198.51.100.0/24
send tcp $STRANGER4 $APP4 8443
ok $? "an admin network added by dbd reaches the admin port"
drv del admin 198.51.100.0/24
send tcp $STRANGER4 $APP4 8443
[ $? -ne 0 ]; ok $? "... and not after its removal"

# A snapshot without trunk networks closes SIP again.
drv begin 2
drv end
udp_reaches $TRUNK4 $APP4 5060 s2
[ $? -ne 0 ]; ok $? "a snapshot replaces the trunk networks"

drv_stop
in_ns nft list table inet trunkd >/dev/null
ok $? "the table stays when fwd stops"
[ $tap_failed -eq 0 ] || sed 's/^/# /' "$RT/drv"
done_testing
